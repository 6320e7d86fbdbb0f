import {
  DEFAULT_REDACTION_POLICY,
  parseRedactionPolicy,
  pathTokens,
  RedactionPolicyError,
} from '../../src/redact/policy';

describe('parseRedactionPolicy', () => {
  it('accepts default and tenant rules', () => {
    const json = {
      default: [{ path: '/data/actor/ip', action: 'hmac' }],
      tenants: {
        contoso: [
          { path: '/data/actor/ip', action: 'keep' },
          { path: '/data/tool/arguments/*', action: 'mask' },
          { path: '/data/statement/text', action: 'drop' },
        ],
      },
    };
    expect(parseRedactionPolicy(json)).toEqual(json);
  });

  it('accepts the default policy', () => {
    expect(parseRedactionPolicy(JSON.parse(JSON.stringify(DEFAULT_REDACTION_POLICY)))).toEqual(
      DEFAULT_REDACTION_POLICY,
    );
  });

  it('accepts an empty policy', () => {
    expect(parseRedactionPolicy({})).toEqual({});
  });

  it.each([
    ['a non-object', [], new RedactionPolicyError('(root)', 'must be an object')],
    [
      'an unknown field',
      { rules: [] },
      new RedactionPolicyError('rules', 'is not a policy field (expected default, tenants)'),
    ],
    [
      'default as an object',
      { default: {} },
      new RedactionPolicyError('default', 'must be an array of rules'),
    ],
    [
      'tenants as an array',
      { tenants: [] },
      new RedactionPolicyError('tenants', 'must be an object'),
    ],
    [
      'a bad tenant id',
      { tenants: { Contoso: [] } },
      new RedactionPolicyError(
        'tenants.Contoso',
        'is not a valid tenant id (must match ^[a-z0-9][a-z0-9-]{1,62}$)',
      ),
    ],
    [
      'a rule that is not an object',
      { default: ['x'] },
      new RedactionPolicyError('default[0]', 'must be an object'),
    ],
    [
      'a rule without path',
      { default: [{ action: 'drop' }] },
      new RedactionPolicyError('default[0].path', 'is required and must be a string'),
    ],
    [
      'an unknown action',
      {
        tenants: {
          contoso: [
            { path: '/data/actor/ip', action: 'drop' },
            { path: '/data/actor/name', action: 'hash' },
          ],
        },
      },
      new RedactionPolicyError(
        'tenants.contoso[1].action',
        'must be one of drop, mask, hmac, keep (got "hash")',
      ),
    ],
    [
      'an unknown rule field',
      { default: [{ path: '/data/actor/ip', action: 'drop', when: 'always' }] },
      new RedactionPolicyError('default[0].when', 'is not a rule field (expected path, action)'),
    ],
    [
      'a path outside data',
      { default: [{ path: '/tenantid', action: 'mask' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must be a JSON pointer below /data/ (got "/tenantid")',
      ),
    ],
    [
      'a path that is not a pointer',
      { default: [{ path: 'data.actor.ip', action: 'mask' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must be a JSON pointer below /data/ (got "data.actor.ip")',
      ),
    ],
    [
      'a whole data object',
      { default: [{ path: '/data/statement', action: 'drop' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must name a field inside a data object, like /data/actor/ip (got "/data/statement")',
      ),
    ],
    [
      'an empty segment',
      { default: [{ path: '/data/actor/', action: 'drop' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must name a field inside a data object, like /data/actor/ip (got "/data/actor/")',
      ),
    ],
    [
      'a wildcard before the end',
      { default: [{ path: '/data/*/ip', action: 'drop' }] },
      new RedactionPolicyError(
        'default[0].path',
        'may use * only as its last segment (got "/data/*/ip")',
      ),
    ],
    [
      'a bad escape',
      { default: [{ path: '/data/tool/arguments/a~2', action: 'drop' }] },
      new RedactionPolicyError(
        'default[0].path',
        'has a ~ not followed by 0 or 1 (got "/data/tool/arguments/a~2")',
      ),
    ],
    [
      'an enumeration field',
      { default: [{ path: '/data/outcome/status', action: 'mask' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must not cover /data/outcome/status: it is an enumeration the pipeline classifies by',
      ),
    ],
    [
      'a wildcard over an enumeration field',
      { default: [{ path: '/data/actor/*', action: 'hmac' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must not cover /data/actor/type: it is an enumeration the pipeline classifies by',
      ),
    ],
    [
      'dropping a required field',
      { default: [{ path: '/data/actor/id', action: 'drop' }] },
      new RedactionPolicyError(
        'default[0].path',
        'must not drop /data/actor/id: the schema requires it (use mask or hmac)',
      ),
    ],
    [
      'a repeated path',
      {
        default: [
          { path: '/data/actor/ip', action: 'drop' },
          { path: '/data/actor/ip', action: 'mask' },
        ],
      },
      new RedactionPolicyError('default[1].path', 'repeats default[0].path "/data/actor/ip"'),
    ],
  ])('refuses %s', (_name, json, error) => {
    expect(() => parseRedactionPolicy(json)).toThrow(error);
  });

  it('carries the location and detail on the error', () => {
    let caught: unknown;
    try {
      parseRedactionPolicy({ default: [{ path: 7, action: 'drop' }] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      name: 'RedactionPolicyError',
      location: 'default[0].path',
      detail: 'is required and must be a string',
      message: 'redaction policy default[0].path: is required and must be a string',
    });
  });

  it('allows hmac of a required field and keep of anything', () => {
    const json = {
      default: [
        { path: '/data/actor/id', action: 'hmac' },
        { path: '/data/outcome/status', action: 'keep' },
      ],
    };
    expect(parseRedactionPolicy(json)).toEqual(json);
  });
});

describe('pathTokens', () => {
  it('unescapes ~1 and ~0 in that order', () => {
    expect(pathTokens('/data/tool/arguments/a~1b~0c~01')).toEqual([
      'data',
      'tool',
      'arguments',
      'a/b~c~1',
    ]);
  });
});
