import {
  classesReachableFor,
  classify,
  hotCutoff,
  hotWindowFor,
  longestLivedClass,
  shippedRetentionPolicy,
} from '../../lifecycle';
import { fixturePolicy } from './fixtures';

const policy = fixturePolicy();
const NOW = new Date('2026-06-30T12:00:00Z');

describe('classify', () => {
  it('gives the default class when no rule matches', () => {
    expect(classify(policy, 'contoso', 'com.sqlmcp.tool.invoked')).toBe('standard');
  });

  it('matches a rule by event type for any tenant', () => {
    expect(classify(policy, 'contoso', 'com.sqlmcp.auth.failed')).toBe('long');
  });

  it('matches a rule by tenant for any event type', () => {
    expect(classify(policy, 'sandbox', 'com.sqlmcp.tool.invoked')).toBe('short');
  });

  it('lets the first matching rule win', () => {
    expect(classify(policy, 'sandbox', 'com.sqlmcp.auth.failed')).toBe('short');
  });

  it('requires tenant and event type to match when a rule names both', () => {
    expect(classify(policy, 'scratch', 'com.sqlmcp.session.started')).toBe('ephemeral');
    expect(classify(policy, 'scratch', 'com.sqlmcp.session.ended')).toBe('standard');
    expect(classify(policy, 'contoso', 'com.sqlmcp.session.started')).toBe('standard');
  });

  it('classifies security events of the shipped policy as long', () => {
    const shipped = shippedRetentionPolicy();
    expect(classify(shipped, 'contoso', 'com.sqlmcp.config.changed')).toBe('long');
    expect(classify(shipped, 'contoso', 'com.sqlmcp.tool.invoked')).toBe('standard');
  });
});

describe('classesReachableFor', () => {
  it('stops at a rule that takes every event type of the tenant', () => {
    expect(classesReachableFor(policy, 'sandbox')).toEqual(['short']);
  });

  it('includes type-specific rules and the default', () => {
    expect(classesReachableFor(policy, 'scratch')).toEqual(['ephemeral', 'long', 'standard']);
    expect(classesReachableFor(policy, 'contoso')).toEqual(['long', 'standard']);
  });
});

describe('longestLivedClass', () => {
  it('prefers the later deletion', () => {
    expect(longestLivedClass(policy, ['standard', 'long', 'short'])).toBe('long');
  });

  it('breaks a deletion tie by the longer hot window, then by declaration order', () => {
    const tied = fixturePolicy();
    const classes = tied.classes as Record<string, (typeof tied.classes)[string]>;
    classes.standard = { ...classes.standard!, delete: { afterDays: 3650 } };
    expect(longestLivedClass(tied, ['long', 'standard'])).toBe('standard');
    classes.long = { ...classes.long!, hot: { days: 31 } };
    expect(longestLivedClass(tied, ['standard', 'long'])).toBe('long');
  });

  it('refuses an empty list', () => {
    expect(() => longestLivedClass(policy, [])).toThrow(
      'longestLivedClass needs at least one class name',
    );
  });
});

describe('hotWindowFor', () => {
  it('gives the class hot window of the event', () => {
    expect(hotWindowFor(policy, 'sandbox', 'com.sqlmcp.tool.invoked')).toEqual({
      days: 7,
      className: 'short',
    });
    expect(hotWindowFor(policy, 'scratch', 'com.sqlmcp.session.started')).toEqual({
      days: 1,
      className: 'ephemeral',
    });
  });
});

describe('hotCutoff', () => {
  it('subtracts the hot window of the event type from now', () => {
    expect(hotCutoff(policy, 'scratch', NOW, 'com.sqlmcp.session.started').toISOString()).toBe(
      '2026-06-29T12:00:00.000Z',
    );
  });

  it('uses the longest hot window the tenant can reach when no type is given', () => {
    expect(hotCutoff(policy, 'scratch', NOW).toISOString()).toBe('2026-05-31T12:00:00.000Z');
  });

  it('uses the tenant-wide class when a rule takes all its events', () => {
    expect(hotCutoff(policy, 'sandbox', NOW).toISOString()).toBe('2026-06-23T12:00:00.000Z');
  });
});
