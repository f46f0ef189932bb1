// "Set Up Tracing" for Java. OpenTelemetry: the AWS Distro for OpenTelemetry Java agent (X-Ray ids and
// propagation built in) configured by a properties file that points it at the collector, plus opentelemetry-api
// for the spans "Trace This Function" writes. X-Ray SDK: for Spring, a @Configuration class that registers
// AWSXRayServletFilter (a segment per request) and builds the global recorder; the dependency as a build snippet.
import { manifestDependencies, type ProjectFile } from './flavourDetection';
import { dirName, joinPath } from './setUpTracingNode';
import type { CollectorEndpoints, SetUpTracingInput, SetUpTracingPlan } from './setUpTracingTypes';

/** Versions written into build snippets: releases the generated code was written against (newer ones work too). */
const OTEL_API = { group: 'io.opentelemetry', artifact: 'opentelemetry-api', version: '1.44.1' };
const XRAY_CORE = { group: 'com.amazonaws', artifact: 'aws-xray-recorder-sdk-core', version: '2.18.2' };
const ADOT_AGENT_URL = 'https://github.com/aws-observability/aws-otel-java-instrumentation/releases/latest/download/aws-opentelemetry-agent.jar';
export const JAVA_AGENT_PROPERTIES = 'otel-agent.properties';
const XRAY_CONFIG_CLASS = 'XRayTracingConfig';

export function javaSetUpFileCandidates(entryPath: string, files: readonly ProjectFile[]): string[] {
  const build = buildFile(files);
  return [joinPath(build ? dirName(build.path) : '', JAVA_AGENT_PROPERTIES), joinPath(dirName(entryPath), `${XRAY_CONFIG_CLASS}.java`)];
}

export function planJava(input: SetUpTracingInput, endpoints: CollectorEndpoints): SetUpTracingPlan {
  const plan: SetUpTracingPlan = { language: 'java', flavour: input.flavour, alreadySetUp: false, edits: [], newFiles: [], dependencies: [], notes: [] };
  const build = buildFile(input.files);
  const declared = new Set(build ? manifestDependencies(build)?.names ?? [] : []);
  const has = (path: string) => input.files.some((f) => f.path === path);
  const dir = build ? dirName(build.path) : '';
  const dependency = input.flavour === 'opentelemetry' ? OTEL_API : XRAY_CORE;
  if (!declared.has(`${dependency.group}:${dependency.artifact}`)) {
    plan.dependencies = [`${dependency.group}:${dependency.artifact}`];
    plan.manifestSnippet = build?.path.endsWith('.kts') || build?.path.endsWith('.gradle')
      ? { file: build.path, text: `implementation("${dependency.group}:${dependency.artifact}:${dependency.version}")` }
      : { file: build?.path ?? 'pom.xml', text: ['<dependency>', `  <groupId>${dependency.group}</groupId>`, `  <artifactId>${dependency.artifact}</artifactId>`, `  <version>${dependency.version}</version>`, '</dependency>'].join('\n') };
  }
  if (input.flavour === 'opentelemetry') {
    const properties = joinPath(dir, JAVA_AGENT_PROPERTIES);
    if (!has(properties)) plan.newFiles.push({ path: properties, text: agentProperties(input.serviceName, endpoints) });
    plan.notes.push(
      `Run with the AWS Distro for OpenTelemetry Java agent (${ADOT_AGENT_URL}): java -javaagent:aws-opentelemetry-agent.jar -Dotel.javaagent.configuration-file=${JAVA_AGENT_PROPERTIES} -jar your-app.jar`,
      'The agent traces incoming and outgoing HTTP, JDBC and AWS SDK calls by itself; "Trace This Function" adds spans through opentelemetry-api, which the agent picks up.',
    );
  } else {
    const spring = [...declared].some((d) => d.startsWith('org.springframework'));
    const pkg = input.entry ? /^\s*package\s+([\w.]+)\s*;/m.exec(input.entry.text)?.[1] : undefined;
    const configPath = input.entry ? joinPath(dirName(input.entry.path), `${XRAY_CONFIG_CLASS}.java`) : undefined;
    const alreadyFiltered = input.files.some((f) => /AWSXRayServletFilter/.test(f.text)) || /AWSXRayServletFilter/.test(input.entry?.text ?? '');
    if (alreadyFiltered) {
      // Nothing to add.
    } else if (spring && pkg && configPath && !has(configPath)) {
      const jakarta = springBootMajor(input.files) !== 2;
      plan.newFiles.push({ path: configPath, text: xrayConfigClass(pkg, input.serviceName, jakarta) });
      if (endpoints.daemonAddress !== '127.0.0.1:2000') plan.notes.push(`Set AWS_XRAY_DAEMON_ADDRESS=${endpoints.daemonAddress} for the local collector (the SDK's default is 127.0.0.1:2000).`);
    } else {
      plan.notes.push(`Add the servlet filter ${spring ? '(open a Java file of your Spring application first, so the configuration class goes into its package)' : 'to web.xml: <filter-class>com.amazonaws.xray.javax.servlet.AWSXRayServletFilter</filter-class> with the init-param fixedName'} so each request gets a segment.`);
    }
    plan.notes.push('The X-Ray SDKs are in maintenance since 2026-02-25 (support ends 2027-02-25); OpenTelemetry is the path AWS recommends for new work.');
  }
  plan.alreadySetUp = plan.newFiles.length === 0 && plan.dependencies.length === 0 && plan.notes.every((n) => !/^Add the servlet filter/.test(n));
  if (plan.alreadySetUp) plan.notes.unshift('This project already has the set-up: nothing to change.');
  return plan;
}

function agentProperties(serviceName: string, endpoints: CollectorEndpoints): string {
  return [
    '# OpenTelemetry Java agent (AWS Distro) settings: traces over OTLP/HTTP to the local X-Ray Lens collector.',
    `# Use: java -javaagent:aws-opentelemetry-agent.jar -Dotel.javaagent.configuration-file=${JAVA_AGENT_PROPERTIES} -jar your-app.jar`,
    '# Environment variables (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, ...) override these.',
    `otel.service.name=${serviceName.replace(/[\r\n]/g, ' ')}`,
    'otel.traces.exporter=otlp',
    'otel.exporter.otlp.traces.protocol=http/protobuf',
    `otel.exporter.otlp.traces.endpoint=${endpoints.otlpHttpEndpoint}`,
    'otel.propagators=xray,tracecontext,baggage',
    'otel.metrics.exporter=none',
    'otel.logs.exporter=none',
    '',
  ].join('\n');
}

function xrayConfigClass(pkg: string, serviceName: string, jakarta: boolean): string {
  const servlet = jakarta ? 'jakarta' : 'javax';
  return [
    `package ${pkg};`,
    '',
    'import com.amazonaws.xray.AWSXRay;',
    'import com.amazonaws.xray.AWSXRayRecorderBuilder;',
    `import com.amazonaws.xray.${servlet}.servlet.AWSXRayServletFilter;`,
    `import ${servlet}.servlet.Filter;`,
    'import org.springframework.context.annotation.Bean;',
    'import org.springframework.context.annotation.Configuration;',
    '',
    '/**',
    ' * AWS X-Ray: a segment per incoming request (AWSXRayServletFilter), sent to AWS_XRAY_DAEMON_ADDRESS',
    ' * (default 127.0.0.1:2000, the local X-Ray Lens collector).',
    ' */',
    '@Configuration',
    `public class ${XRAY_CONFIG_CLASS} {`,
    '    static {',
    '        AWSXRay.setGlobalRecorder(AWSXRayRecorderBuilder.standard().build());',
    '    }',
    '',
    '    @Bean',
    '    public Filter tracingFilter() {',
    `        return new AWSXRayServletFilter(${javaString(serviceName)});`,
    '    }',
    '}',
    '',
  ].join('\n');
}

function buildFile(files: readonly ProjectFile[]): ProjectFile | undefined {
  const builds = files.filter((f) => /(^|\/)(pom\.xml|build\.gradle(\.kts)?)$/.test(f.path));
  return builds.sort((a, b) => a.path.split('/').length - b.path.split('/').length)[0];
}

/** Spring Boot's major version from the parent POM or the Gradle plugin, when written there. */
function springBootMajor(files: readonly ProjectFile[]): number | undefined {
  for (const f of files) {
    const m = /spring-boot-starter-parent<\/artifactId>\s*<version>(\d+)/.exec(f.text) ?? /org\.springframework\.boot['"]?\)?\s*version\s*['"](\d+)/.exec(f.text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

function javaString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;
}
