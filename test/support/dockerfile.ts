/**
 * A reader for the subset of the Dockerfile syntax that the image uses:
 * comments, line continuations, and the instructions FROM, WORKDIR, COPY,
 * RUN, ENV, USER, EXPOSE, HEALTHCHECK and CMD. It raises an error on
 * anything else, so that a new instruction fails the image tests loudly
 * instead of being skipped.
 */

/** One instruction after continuation lines are joined. */
export interface Instruction {
  keyword: string;
  /** The text after the keyword. */
  args: string;
  /** 1-based line number where the instruction starts. */
  line: number;
}

export interface Stage {
  /** The `AS` name, if any. */
  name: string | undefined;
  /** The base image reference of FROM. */
  base: string;
  instructions: Instruction[];
}

/** A COPY instruction's parts. */
export interface CopyInstruction {
  /** Stage name of `--from`, or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  destination: string;
}

/** Container settings of a stage. */
export interface ImageConfig {
  workdir: string;
  env: Record<string, string>;
  user: { uid: number; gid: number };
  exposedPorts: number[];
  /** CMD in exec form. */
  cmd: string[];
  healthcheck: { options: Record<string, string>; command: string[] };
}

const KNOWN_KEYWORDS = new Set([
  'FROM',
  'WORKDIR',
  'COPY',
  'RUN',
  'ENV',
  'USER',
  'EXPOSE',
  'HEALTHCHECK',
  'CMD',
]);

/** Splits a Dockerfile into stages of instructions. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of readInstructions(text)) {
    if (!KNOWN_KEYWORDS.has(instruction.keyword)) {
      throw new Error(
        `Dockerfile line ${instruction.line}: ${instruction.keyword} is not supported by the image tests; extend test/support/dockerfile.ts`,
      );
    }
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match?.[1]) {
        throw new Error(
          `Dockerfile line ${instruction.line}: invalid FROM "${instruction.args}"`,
        );
      }
      stages.push({ base: match[1], name: match[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      throw new Error(
        `Dockerfile line ${instruction.line}: ${instruction.keyword} comes before the first FROM`,
      );
    }
    stage.instructions.push(instruction);
  }

  return stages;
}

/**
 * Joins continuation lines and drops comments. As Docker does, a comment
 * line inside a continued instruction is removed before the lines are
 * joined.
 */
function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue;
    if (pending === '' && trimmed === '') continue;
    if (pending === '') start = index + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      continue;
    }
    pending += trimmed;
    const match = /^(\S+)\s*(.*)$/s.exec(pending);
    if (match?.[1]) {
      instructions.push({
        keyword: match[1].toUpperCase(),
        args: (match[2] ?? '').trim(),
        line: start,
      });
    }
    pending = '';
  }
  if (pending !== '') {
    throw new Error(
      `Dockerfile line ${start}: the last instruction ends with a continuation`,
    );
  }

  return instructions;
}

/** Parses an exec-form argument list (a JSON array of strings). */
export function parseExecForm(args: string, where: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new Error(
      `${where} must use the exec form (a JSON array), so that no shell stands between the runtime and node; found ${args}`,
    );
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((item) => typeof item === 'string')
  ) {
    throw new Error(`${where} must be a non-empty JSON array of strings`);
  }

  return parsed;
}

/** Parses COPY's flags, sources and destination. */
export function parseCopy(instruction: Instruction): CopyInstruction {
  const words = instruction.args.split(/\s+/);
  let from: string | undefined;
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith('--from=')) {
      from = word.slice('--from='.length);
    } else if (word.startsWith('--')) {
      throw new Error(
        `Dockerfile line ${instruction.line}: COPY flag ${word} is not supported by the image tests`,
      );
    } else {
      paths.push(word);
    }
  }
  const destination = paths.pop();
  if (destination === undefined || paths.length === 0) {
    throw new Error(
      `Dockerfile line ${instruction.line}: COPY needs at least one source and a destination`,
    );
  }

  return { from, sources: paths, destination };
}

/**
 * Splits a RUN instruction into its commands (joined by `&&`), each a list
 * of words, after dropping BuildKit's `--mount` flags, which only affect
 * the builder's cache.
 */
export function parseRun(instruction: Instruction): string[][] {
  const text = instruction.args.replace(/^(?:--mount=\S+\s+)+/, '');
  if (/[|;<>$`'"]/.test(text)) {
    throw new Error(
      `Dockerfile line ${instruction.line}: RUN may only chain plain commands with &&; found "${text}"`,
    );
  }

  return text.split('&&').map((command) => command.trim().split(/\s+/));
}

/** Parses `ENV KEY=value ...`, with values optionally in double quotes. */
function parseEnv(instruction: Instruction): Record<string, string> {
  const env: Record<string, string> = {};
  const pair = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)\s*/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pair.exec(instruction.args)) !== null) {
    const [whole, name, value] = match;
    if (!name || value === undefined) break;
    env[name] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    consumed += whole.length;
  }
  if (consumed !== instruction.args.length) {
    throw new Error(
      `Dockerfile line ${instruction.line}: ENV must be KEY=value pairs; found "${instruction.args}"`,
    );
  }

  return env;
}

/** Parses `USER uid:gid`, which must be numeric for Kubernetes' runAsNonRoot. */
function parseUser(instruction: Instruction): { uid: number; gid: number } {
  const match = /^(\d+):(\d+)$/.exec(instruction.args);
  if (!match?.[1] || !match[2]) {
    throw new Error(
      `Dockerfile line ${instruction.line}: USER must be a numeric uid:gid, so that Kubernetes' runAsNonRoot can verify it; found "${instruction.args}"`,
    );
  }

  return { uid: Number(match[1]), gid: Number(match[2]) };
}

/** Parses `HEALTHCHECK [--option=value ...] CMD ["exec", "form"]`. */
function parseHealthcheck(
  instruction: Instruction,
): ImageConfig['healthcheck'] {
  const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.+)$/s.exec(instruction.args);
  if (!match?.[2]) {
    throw new Error(
      `Dockerfile line ${instruction.line}: HEALTHCHECK must be "[--option=value ...] CMD [...]"`,
    );
  }
  const options: Record<string, string> = {};
  for (const option of (match[1] ?? '').trim().split(/\s+/)) {
    if (option === '') continue;
    const [name, value] = option.slice(2).split('=');
    if (name && value !== undefined) options[name] = value;
  }

  return {
    options,
    command: parseExecForm(match[2], `HEALTHCHECK (line ${instruction.line})`),
  };
}

/** Collects the settings of a stage: its WORKDIR, ENV, USER, EXPOSE, CMD and HEALTHCHECK. */
export function imageConfig(stage: Stage): ImageConfig {
  let workdir: string | undefined;
  const env: Record<string, string> = {};
  let user: ImageConfig['user'] | undefined;
  const exposedPorts: number[] = [];
  let cmd: string[] | undefined;
  let healthcheck: ImageConfig['healthcheck'] | undefined;
  for (const instruction of stage.instructions) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        workdir = instruction.args;
        break;
      case 'ENV':
        Object.assign(env, parseEnv(instruction));
        break;
      case 'USER':
        user = parseUser(instruction);
        break;
      case 'EXPOSE':
        exposedPorts.push(
          ...instruction.args.split(/\s+/).map((port) => Number(port)),
        );
        break;
      case 'CMD':
        cmd = parseExecForm(instruction.args, `CMD (line ${instruction.line})`);
        break;
      case 'HEALTHCHECK':
        healthcheck = parseHealthcheck(instruction);
        break;
      default:
        break;
    }
  }
  const missing = [
    workdir === undefined ? 'WORKDIR' : '',
    user === undefined ? 'USER' : '',
    cmd === undefined ? 'CMD' : '',
    healthcheck === undefined ? 'HEALTHCHECK' : '',
  ].filter((name) => name !== '');
  if (
    workdir === undefined ||
    user === undefined ||
    cmd === undefined ||
    healthcheck === undefined
  ) {
    throw new Error(`The final stage lacks ${missing.join(', ')}`);
  }

  return { workdir, env, user, exposedPorts, cmd, healthcheck };
}

/** Returns the ENV a stage sets before its instruction at `index`. */
export function envBefore(stage: Stage, index: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions.slice(0, index)) {
    if (instruction.keyword === 'ENV')
      Object.assign(env, parseEnv(instruction));
  }

  return env;
}

/** Parses a Docker duration such as `5s`, `1m30s` or `500ms`, in ms. */
export function durationMs(text: string): number {
  const units: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw new Error(`invalid duration "${text}"`);
  }

  return parts.reduce(
    (total, part) => total + Number(part[1]) * (units[part[2] ?? ''] ?? 0),
    0,
  );
}
