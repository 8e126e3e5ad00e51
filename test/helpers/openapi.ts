import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

const SPEC_PATH = fileURLToPath(
  new URL('../fixtures/launchdarkly/openapi.expiring-targets.semantic-patch.json', import.meta.url),
);

interface Operation {
  pattern: RegExp;
  method: string;
  template: string;
  request?: ValidateFunction;
  responses: Map<string, ValidateFunction>;
}

/**
 * Validates requests and responses against LaunchDarkly's official OpenAPI schemas (the subset in
 * test/fixtures/launchdarkly), so that both our client and our fake are held to LaunchDarkly's shapes.
 */
export class OpenApiValidator {
  private readonly operations: Operation[] = [];

  constructor(specPath = SPEC_PATH) {
    const spec = JSON.parse(readFileSync(specPath, 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
    ajv.addSchema({ components: spec.components }, 'spec');
    const compile = (schema: object) => ajv.compile({ ...rewriteRefs(schema) });
    for (const [template, methods] of Object.entries<Record<string, any>>(spec.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, op] of Object.entries<any>(methods)) {
        const requestSchema = op.requestBody?.content?.['application/json']?.schema;
        const responses = new Map<string, ValidateFunction>();
        for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
          const schema = response.content?.['application/json']?.schema;
          if (schema) responses.set(status, compile(schema));
        }
        this.operations.push({
          pattern,
          method: method.toUpperCase(),
          template,
          request: requestSchema ? compile(requestSchema) : undefined,
          responses,
        });
      }
    }
  }

  /** The documented operation for a method and path (without query), e.g. for routing checks. */
  operation(method: string, path: string): Operation | undefined {
    // Literal paths (…/caller-identity) win over templated ones that would also match.
    const matches = this.operations.filter((o) => o.method === method && o.pattern.test(path));
    return matches.sort((a, b) => templateVars(a.template) - templateVars(b.template))[0];
  }

  /** Problems with a request body; an empty list when it is valid. */
  checkRequest(method: string, path: string, body: unknown): string[] {
    const op = this.operation(method, path);
    if (!op) return [`${method} ${path} is not a documented operation`];
    if (!op.request) return body === undefined ? [] : [`${method} ${op.template} takes no body`];
    return op.request(body) ? [] : describe(op.request);
  }

  /** Problems with a response body for its status; statuses the spec does not describe are reported too. */
  checkResponse(method: string, path: string, status: number, body: unknown): string[] {
    const op = this.operation(method, path);
    if (!op) return [`${method} ${path} is not a documented operation`];
    const validate = op.responses.get(String(status));
    if (!validate)
      return status >= 500 ? [] : [`${method} ${op.template} does not document status ${status}`];
    return validate(body) ? [] : describe(validate);
  }
}

function templateVars(template: string): number {
  return (template.match(/\{/g) ?? []).length;
}

function describe(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || 'body'} ${e.message}`);
}

function rewriteRefs(node: any): any {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `spec${v}` : rewriteRefs(v),
      ]),
    );
  }
  return node;
}
