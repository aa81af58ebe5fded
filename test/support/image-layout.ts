import { execFile } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DockerIgnore } from './docker-context.js';
import {
  envBefore,
  imageConfig,
  parseCopy,
  parseDockerfile,
  parseRun,
  type ImageConfig,
  type Instruction,
  type Stage,
} from './dockerfile.js';

const run = promisify(execFile);

/** The final stage's file system, rebuilt in a local folder. */
export interface ImageLayout {
  stages: Stage[];
  config: ImageConfig;
  /** Local folder that is the final stage's WORKDIR. */
  appDir: string;
}

export interface LayoutOptions {
  /** The build context: the checkout's root, which contains the Dockerfile. */
  contextRoot: string;
  /** Empty folder that receives one subfolder per stage. */
  workRoot: string;
  /** Flags added to every `npm ci --omit=dev`, such as `--prefer-offline`. */
  npmFlags: string[];
  /** Bound of each npm command, in ms. */
  timeoutMs: number;
}

/** Raised when npm cannot reach its registry, so that callers can skip. */
export class RegistryUnreachableError extends Error {}

/** npm's error codes for a registry it cannot reach. */
const NETWORK_ERRORS =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b/;

interface StageFolder {
  stage: Stage;
  folder: string;
  workdir: string | undefined;
}

/**
 * Rebuilds each stage of the Dockerfile in a folder of `workRoot`, which is
 * the stage's WORKDIR. COPY copies from the build context (leaving out what
 * .dockerignore excludes) or from an earlier stage's folder. RUN runs
 * `npm ci` and `npm run <script>`. A link to the checkout's own full install
 * replaces an `npm ci` that keeps dev dependencies, so that only the
 * production install is downloaded. Other RUN commands raise an error.
 */
export async function buildImageLayout(
  options: LayoutOptions,
): Promise<ImageLayout> {
  const stages = parseDockerfile(
    readFileSync(path.join(options.contextRoot, 'Dockerfile'), 'utf8'),
  );
  const ignore = DockerIgnore.read(options.contextRoot);
  // As BuildKit does, stages run at once, and a COPY --from waits for the
  // stage it copies from.
  const named = new Map<string, Promise<StageFolder>>();
  const replays: Promise<StageFolder>[] = [];
  for (const [index, stage] of stages.entries()) {
    const current: StageFolder = {
      stage,
      folder: path.join(options.workRoot, stage.name ?? `stage-${index}`),
      workdir: undefined,
    };
    const replay = replayStage(current, named, ignore, options).then(
      () => current,
    );
    if (stage.name) named.set(stage.name, replay);
    replays.push(replay);
  }
  const results = await Promise.allSettled(replays);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  const last = results.at(-1);
  if (last?.status !== 'fulfilled') {
    throw new Error('The Dockerfile has no stage');
  }

  return {
    stages,
    config: imageConfig(last.value.stage),
    appDir: last.value.folder,
  };
}

async function replayStage(
  current: StageFolder,
  named: ReadonlyMap<string, Promise<StageFolder>>,
  ignore: DockerIgnore,
  options: LayoutOptions,
): Promise<void> {
  for (const [index, instruction] of current.stage.instructions.entries()) {
    switch (instruction.keyword) {
      case 'WORKDIR':
        if (current.workdir !== undefined) {
          throw new Error(
            `Dockerfile line ${instruction.line}: one WORKDIR per stage is supported by the image tests`,
          );
        }
        current.workdir = instruction.args;
        mkdirSync(current.folder, { recursive: true });
        break;
      case 'COPY': {
        const { from } = parseCopy(instruction);
        const fromStage = from === undefined ? undefined : named.get(from);
        if (from !== undefined && fromStage === undefined) {
          throw new Error(
            `Dockerfile line ${instruction.line}: --from=${from} names no earlier stage`,
          );
        }
        copy(
          current,
          instruction,
          await fromStage,
          ignore,
          options.contextRoot,
        );
        break;
      }
      case 'RUN':
        for (const command of parseRun(instruction)) {
          await runCommand(command, current, index, options);
        }
        break;
      default:
        break;
    }
  }
}

/** Maps a path inside a stage to the stage's local folder. */
function localPath(stage: StageFolder, inStage: string, line: number): string {
  if (stage.workdir === undefined) {
    throw new Error(
      `Dockerfile line ${line}: set WORKDIR before COPY or RUN, so that the image tests know where files land`,
    );
  }
  const absolute = path.posix.resolve(stage.workdir, inStage);
  const relative = path.posix.relative(stage.workdir, absolute);
  if (relative.startsWith('..')) {
    throw new Error(
      `Dockerfile line ${line}: ${inStage} lies outside WORKDIR ${stage.workdir}; the image tests rebuild WORKDIR only`,
    );
  }

  return path.join(stage.folder, relative);
}

function copy(
  current: StageFolder,
  instruction: Instruction,
  fromStage: StageFolder | undefined,
  ignore: DockerIgnore,
  contextRoot: string,
): void {
  const { sources, destination } = parseCopy(instruction);
  const target = localPath(current, destination, instruction.line);
  const intoFolder = sources.length > 1 || destination.endsWith('/');
  for (const source of sources) {
    const origin =
      fromStage === undefined
        ? contextSource(contextRoot, source, ignore, instruction.line)
        : stageSource(fromStage, source, instruction.line);
    const isFile = statSync(origin).isFile();
    const to =
      isFile && intoFolder ? path.join(target, path.basename(origin)) : target;
    cpSync(origin, to, {
      recursive: true,
      filter: (file) =>
        fromStage !== undefined ||
        !ignore.excludes(path.relative(contextRoot, file)),
    });
  }
}

function contextSource(
  contextRoot: string,
  source: string,
  ignore: DockerIgnore,
  line: number,
): string {
  const relative = path.posix.normalize(source);
  if (relative.startsWith('..') || path.posix.isAbsolute(relative)) {
    throw new Error(
      `Dockerfile line ${line}: ${source} lies outside the build context`,
    );
  }
  if (ignore.excludes(relative)) {
    throw new Error(
      `Dockerfile line ${line}: ${source} is excluded by .dockerignore, so docker build would not find it`,
    );
  }
  const file = path.join(contextRoot, relative);
  if (!existsSync(file)) {
    throw new Error(`Dockerfile line ${line}: ${source} does not exist`);
  }

  return file;
}

function stageSource(stage: StageFolder, source: string, line: number): string {
  const file = localPath(stage, source, line);
  if (!existsSync(file)) {
    throw new Error(
      `Dockerfile line ${line}: stage ${stage.stage.name} has no ${source} after its last instruction`,
    );
  }

  return file;
}

async function runCommand(
  command: string[],
  current: StageFolder,
  index: number,
  options: LayoutOptions,
): Promise<void> {
  const line = current.stage.instructions[index]?.line ?? 0;
  const cwd = localPath(current, '.', line);
  const env = { ...process.env, ...envBefore(current.stage, index) };
  const [program, action, ...flags] = command;
  if (program === 'npm' && action === 'ci' && flags.includes('--omit=dev')) {
    await runNpm(['ci', ...flags, ...options.npmFlags], cwd, env, options);
    return;
  }
  if (program === 'npm' && action === 'ci') {
    const installed = path.join(options.contextRoot, 'node_modules');
    if (!existsSync(installed)) {
      throw new Error(`${installed} is missing; run npm ci in the checkout`);
    }
    symlinkSync(installed, path.join(cwd, 'node_modules'), 'dir');
    return;
  }
  if (program === 'npm' && action === 'run' && flags.length === 1) {
    await runNpm(['run', ...flags], cwd, env, options);
    return;
  }
  throw new Error(
    `Dockerfile line ${line}: RUN ${command.join(' ')} is not supported by the image tests`,
  );
}

async function runNpm(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  options: LayoutOptions,
): Promise<void> {
  try {
    await run('npm', args, {
      cwd,
      env,
      timeout: options.timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = `${String(error)}\n${(error as { stderr?: string }).stderr ?? ''}`;
    if (args[0] === 'ci' && NETWORK_ERRORS.test(output)) {
      throw new RegistryUnreachableError(
        `npm ${args.join(' ')} could not reach the npm registry: ${output.slice(0, 500)}`,
        { cause: error },
      );
    }
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${output}`, {
      cause: error,
    });
  }
}

/**
 * Makes `folder` and every folder above it searchable by other users, and
 * `folder` itself readable, so that an unprivileged user can run from it.
 * Folders above get only the search bit added, never read or write.
 */
export function openToOtherUsers(folder: string): void {
  chmodSync(folder, 0o755);
  let parent = path.dirname(folder);
  while (parent !== path.dirname(parent)) {
    const mode = statSync(parent).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(parent, mode | 0o001);
    parent = path.dirname(parent);
  }
}
