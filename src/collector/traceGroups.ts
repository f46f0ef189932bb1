// X-Ray groups as the API has them (CreateGroup, GetGroup, GetGroups, UpdateGroup, DeleteGroup): a name and a
// filter expression, checked with the same parser the read API filters with; refusals are InvalidRequestException
// naming the field. The collector keeps one book in
// memory, for as long as it runs; like AWS it lists the Default group, which has no filter and stays.
import { parseFilterExpression } from '../xray/filterExpression';
import { invalidRequest, type JsonHandler } from './daemonHttpServer';

/** Group and GroupSummary (the same fields). */
export interface TraceGroup {
  GroupName: string;
  GroupARN: string;
  FilterExpression?: string;
  InsightsConfiguration: { InsightsEnabled: boolean; NotificationsEnabled: boolean };
}

export const DEFAULT_GROUP_NAME = 'Default';
/** GroupName: 1 to 32 characters, case-sensitive (API_CreateGroup). */
const MAX_GROUP_NAME = 32;

export class TraceGroupBook {
  private readonly groups = new Map<string, TraceGroup>();
  private created = 0;

  constructor() {
    this.groups.set(DEFAULT_GROUP_NAME, {
      GroupName: DEFAULT_GROUP_NAME,
      GroupARN: 'arn:aws:xray:local:000000000000:group/Default',
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    });
  }

  /** Default first, then by name. */
  list(): TraceGroup[] {
    return [...this.groups.values()]
      .sort((a, b) => Number(b.GroupName === DEFAULT_GROUP_NAME) - Number(a.GroupName === DEFAULT_GROUP_NAME) || (a.GroupName < b.GroupName ? -1 : 1))
      .map(copy);
  }

  create(body: Record<string, unknown>): TraceGroup {
    const name = body.GroupName;
    if (typeof name !== 'string') throw invalid('GroupName: required, a string');
    if (name.length < 1 || name.length > MAX_GROUP_NAME) throw invalid(`GroupName: 1 to ${MAX_GROUP_NAME} characters (got ${name.length})`);
    if (this.groups.has(name)) throw invalid(`GroupName: a group named ${name} already exists`);
    const filter = checkFilter(body.FilterExpression);
    const group: TraceGroup = {
      GroupName: name,
      // AWS ends the ARN with an id of its own, so that a group made again under the same name is another group.
      GroupARN: `arn:aws:xray:local:000000000000:group/${name}/${(++this.created).toString(36).toUpperCase().padStart(8, '0')}`,
      ...(filter !== undefined ? { FilterExpression: filter } : {}),
      InsightsConfiguration: checkInsights(body.InsightsConfiguration, { InsightsEnabled: false, NotificationsEnabled: false }),
    };
    this.groups.set(name, group);
    return copy(group);
  }

  get(body: Record<string, unknown>): TraceGroup {
    return copy(this.find(body));
  }

  /** The fields it names change; Default's filter cannot. */
  update(body: Record<string, unknown>): TraceGroup {
    const group = this.find(body);
    const filter = checkFilter(body.FilterExpression);
    if (filter !== undefined && group.GroupName === DEFAULT_GROUP_NAME) throw invalid('FilterExpression: the Default group has no filter expression');
    const insights = checkInsights(body.InsightsConfiguration, group.InsightsConfiguration);
    if (filter !== undefined) group.FilterExpression = filter;
    group.InsightsConfiguration = insights;
    return copy(group);
  }

  delete(body: Record<string, unknown>): void {
    const group = this.find(body);
    if (group.GroupName === DEFAULT_GROUP_NAME) throw invalid('GroupName: the Default group cannot be deleted');
    this.groups.delete(group.GroupName);
  }

  private find(body: Record<string, unknown>): TraceGroup {
    const name = optionalString(body.GroupName, 'GroupName');
    const arn = optionalString(body.GroupARN, 'GroupARN');
    if (name === undefined && arn === undefined) throw invalid('GroupName: a group name or ARN is required');
    const group = name !== undefined ? this.groups.get(name) : [...this.groups.values()].find((g) => g.GroupARN === arn);
    if (!group || (arn !== undefined && group.GroupARN !== arn)) {
      throw invalid(`${name !== undefined ? 'GroupName' : 'GroupARN'}: no group ${name ?? arn}${name !== undefined && arn !== undefined ? ` with ARN ${arn}` : ''}`);
    }
    return group;
  }
}

function copy(group: TraceGroup): TraceGroup {
  return { ...group, InsightsConfiguration: { ...group.InsightsConfiguration } };
}

/** The operations at the paths @aws-sdk/client-xray posts to (GetGroups is `POST /Groups`). */
export function traceGroupRoutes(book: TraceGroupBook): [string, JsonHandler][] {
  return [
    // Every group in one page: NextToken is never needed.
    ['POST /Groups', () => ({ Groups: book.list() })],
    ['POST /GetGroup', (body) => ({ Group: book.get(body) })],
    ['POST /CreateGroup', (body) => ({ Group: book.create(body) })],
    ['POST /UpdateGroup', (body) => ({ Group: book.update(body) })],
    ['POST /DeleteGroup', (body) => {
      book.delete(body);
      return {};
    }],
  ];
}

const invalid = invalidRequest;

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${field}: must be a string`);
  return value;
}

function checkFilter(value: unknown): string | undefined {
  const text = optionalString(value, 'FilterExpression');
  if (text === undefined) return undefined;
  const parsed = parseFilterExpression(text);
  if (!parsed.ok) throw invalid(`FilterExpression: ${parsed.error.message}`);
  return text;
}

function checkInsights(value: unknown, current: TraceGroup['InsightsConfiguration']): TraceGroup['InsightsConfiguration'] {
  if (value === undefined || value === null) return { ...current };
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('InsightsConfiguration: must be an object');
  const given = value as Record<string, unknown>;
  const flag = (key: 'InsightsEnabled' | 'NotificationsEnabled'): boolean => {
    const v = given[key];
    if (v === undefined || v === null) return current[key];
    if (typeof v !== 'boolean') throw invalid(`InsightsConfiguration.${key}: must be true or false`);
    return v;
  };
  const next = { InsightsEnabled: flag('InsightsEnabled'), NotificationsEnabled: flag('NotificationsEnabled') };
  if (next.NotificationsEnabled && !next.InsightsEnabled) {
    throw invalid('InsightsConfiguration.NotificationsEnabled: notifications need InsightsEnabled');
  }
  return next;
}
