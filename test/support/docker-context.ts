import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The patterns of a `.dockerignore`. Each pattern is matched against paths
 * relative to the build context, as Docker does: `*` and `?` stay within
 * one path segment, `**` spans any number of them, and a pattern that
 * matches a folder excludes everything below it. Exceptions (`!pattern`)
 * are not supported and raise an error.
 */
export class DockerIgnore {
  readonly patterns: string[];
  private readonly matchers: RegExp[];

  constructor(text: string) {
    this.patterns = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => path.posix.normalize(line.replace(/^\/+/, '')));
    for (const pattern of this.patterns) {
      if (pattern.startsWith('!')) {
        throw new Error(
          `.dockerignore exception "${pattern}" is not supported by the image tests`,
        );
      }
    }
    this.matchers = this.patterns.map(globToRegExp);
  }

  static read(contextRoot: string): DockerIgnore {
    return new DockerIgnore(
      readFileSync(path.join(contextRoot, '.dockerignore'), 'utf8'),
    );
  }

  /** True when `relativePath` or one of its parent folders matches a pattern. */
  excludes(relativePath: string): boolean {
    const segments = path.posix.normalize(relativePath).split('/');
    for (let length = 1; length <= segments.length; length += 1) {
      const candidate = segments.slice(0, length).join('/');
      if (this.matchers.some((matcher) => matcher.test(candidate))) return true;
    }

    return false;
  }
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern.charAt(index);
    if (pattern.startsWith('**/', index)) {
      source += '(?:.*/)?';
      index += 2;
    } else if (pattern.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }

  return new RegExp(`^${source}$`);
}
