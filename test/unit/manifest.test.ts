// package.json is UI: every command has a category, every setting a markdownDescription and a scope,
// and nothing activates on "*".
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8'));

suite('package.json manifest', () => {
  test('identity and engine match the design', () => {
    assert.strictEqual(manifest.name, 'xray-lens');
    assert.strictEqual(manifest.displayName, 'X-Ray Lens');
    assert.strictEqual(manifest.engines.vscode, '^1.100.0');
    assert.strictEqual(manifest.devDependencies['@types/vscode'].replace(/^~/, ''), '1.100.0');
  });

  test('no "*" activation', () => {
    assert.ok(!(manifest.activationEvents ?? []).includes('*'));
  });

  test('every command has a category', () => {
    for (const c of manifest.contributes.commands ?? []) {
      assert.ok(c.category, `command ${c.command} has no category`);
    }
  });

  test('every setting has a markdownDescription and a scope', () => {
    const sections: { properties?: Record<string, Record<string, unknown>> }[] = [].concat(manifest.contributes.configuration ?? []);
    for (const section of sections) {
      for (const [key, setting] of Object.entries(section.properties ?? {})) {
        assert.ok(setting.markdownDescription, `${key} has no markdownDescription`);
        assert.ok(setting.scope, `${key} has no scope`);
      }
    }
  });

  test('every bundle the build writes to dist/ ships in the .vsix (.vscodeignore allow-lists each)', () => {
    const root = path.join(__dirname, '../../..');
    const allowed = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!dist/')).map((l) => l.slice(1).trim());
    const bundles = fs.readdirSync(path.join(root, 'dist')).filter((f) => f.endsWith('.js'));
    assert.ok(bundles.includes('collectorWorker.js') && bundles.includes('extension.js'), `dist/ holds ${bundles.join(', ')}: build first`);
    for (const f of bundles) assert.ok(allowed.includes(`dist/${f}`), `dist/${f} is built but .vscodeignore leaves it out of the .vsix`);
  });
});
