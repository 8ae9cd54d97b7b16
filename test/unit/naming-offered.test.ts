/**
 * assignExposedNames with the names already offered in a session: a name once given
 * stays with its tool and is never given to another tool.
 */
import { describe, expect, it } from 'vitest';
import { assignExposedNames, EXPOSED_NAME_PATTERN, toolIdentity, type ToolOwner } from '../../src/mcp/naming.js';

/** Names in one session: each call remembers what it offered, as the hub does. */
function session() {
  const offered = new Map<string, string>();
  return (tools: ToolOwner[]) => {
    const routes = assignExposedNames(tools, offered);
    for (const route of routes) offered.set(route.exposedName, toolIdentity(route));
    return routes.map((r) => `${r.server}/${r.originalName}=${r.exposedName}`);
  };
}

describe('assignExposedNames with offered names', () => {
  it('keeps the earlier bare name and qualifies the newcomer, whatever the order', () => {
    const names = session();
    expect(names([{ server: 'b', originalName: 'search' }])).toEqual(['b/search=search']);
    // a comes first in config order, yet b keeps the name it was given.
    expect(names([{ server: 'a', originalName: 'search' }, { server: 'b', originalName: 'search' }])).toEqual(['a/search=a__search', 'b/search=search']);
  });

  it('never gives a name offered to one tool to another, even after the first one is gone', () => {
    const names = session();
    expect(names([{ server: 'a', originalName: 'search' }])).toEqual(['a/search=search']);
    expect(names([{ server: 'b', originalName: 'search' }])).toEqual(['b/search=b__search']);
    // a's search comes back: same name as before.
    expect(names([{ server: 'a', originalName: 'search' }, { server: 'b', originalName: 'search' }])).toEqual(['a/search=search', 'b/search=b__search']);
  });

  it('gives a hash suffix when even the qualified name was promised elsewhere, and stays within the pattern', () => {
    const names = session();
    // The tool "a__x" on server "q" takes the name "a__x" first.
    expect(names([{ server: 'q', originalName: 'a__x' }])).toEqual(['q/a__x=a__x']);
    const later = names([{ server: 'a', originalName: 'x' }, { server: 'b', originalName: 'x' }]);
    expect(later[1]).toBe('b/x=b__x');
    const aName = later[0]!.split('=')[1]!;
    expect(aName).toMatch(/^a__x_[0-9a-f]{6}$/);
    expect(aName).toMatch(EXPOSED_NAME_PATTERN);
  });

  it('is deterministic: the same history gives the same names', () => {
    const history: ToolOwner[][] = [
      [{ server: 'a', originalName: 'echo' }],
      [{ server: 'a', originalName: 'echo' }, { server: 'b', originalName: 'echo' }, { server: 'b', originalName: 'weird.name/x' }],
    ];
    const run = () => {
      const names = session();
      return history.map((tools) => names(tools));
    };
    expect(run()).toEqual(run());
  });
});
