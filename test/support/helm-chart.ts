import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import {
  PodDisruptionBudget,
  type IPodDisruptionBudget,
} from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  Secret,
  Service,
  ServiceAccount,
  type IConfigMap,
  type ISecret,
  type IService,
  type IServiceAccount,
} from 'kubernetes-models/v1';
import {
  ServiceMonitor,
  type IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ROOT } from './build.js';

/** The chart under test. */
export const CHART_DIR = path.join(ROOT, 'helm/market-data-api');

/** Go toolchain and the Debian Go packages the renderer compiles against. */
export const GO_PATH = '/usr/bin/go';
export const GO_PACKAGES = '/usr/share/gocode';
export const SPRIG_DIR = `${GO_PACKAGES}/src/github.com/Masterminds/sprig`;
export const GO_YAML_DIR = `${GO_PACKAGES}/src/github.com/ghodss/yaml`;

const RENDERER_SOURCE = path.join(ROOT, 'test/support/helm-render');

/** Maximum time of one Go build and of one render. */
const BUILD_TIMEOUT_MS = 120_000;
const RENDER_TIMEOUT_MS = 10_000;

/** A Kubernetes object as parsed from the rendered YAML. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface RenderOptions {
  /** Chart folder, the market-data-api chart when absent. */
  chartDir?: string;
  /** Values files merged over values.yaml, in order. */
  valuesFiles?: string[];
  /** Overrides as `dotted.path=value`, applied after the files. */
  set?: string[];
}

export interface Render {
  /** The merged values the templates saw. */
  values: Record<string, unknown>;
  manifests: Manifest[];
}

/**
 * Compiles the renderer in GOPATH mode against the Debian packages into
 * `workDir`, which also contains Go's build cache, and returns the binary's
 * path.
 */
export function buildRenderer(workDir: string): string {
  const binary = path.join(workDir, 'helm-render');
  execFileSync(GO_PATH, ['build', '-o', binary, '.'], {
    cwd: RENDERER_SOURCE,
    env: {
      PATH: process.env.PATH,
      HOME: workDir,
      GO111MODULE: 'off',
      GOPATH: `${GO_PACKAGES}:${path.join(workDir, 'gopath')}`,
      GOCACHE: path.join(workDir, 'gocache'),
      CGO_ENABLED: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: BUILD_TIMEOUT_MS,
  });

  return binary;
}

/** Error of a renderer run that exited non-zero, with its error output. */
export class RenderError extends Error {
  override name = 'RenderError';
}

function runRenderer(
  binary: string,
  args: string[],
  chartDir = CHART_DIR,
): string {
  const result = spawnSync(binary, [...args, chartDir], {
    encoding: 'utf8',
    timeout: RENDER_TIMEOUT_MS,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new RenderError(result.stderr.trim());

  return result.stdout;
}

function renderArgs(options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ['-f', file]),
    ...(options.set ?? []).flatMap((assignment) => ['-set', assignment]),
  ];
}

/**
 * Renders the chart like `helm template`: merges the values, checks them
 * against values.schema.json (throwing a ValuesSchemaError), then renders and
 * parses every document.
 */
export function renderChart(binary: string, options: RenderOptions): Render {
  const values = mergedValues(binary, options);
  validateValues(values);
  const manifests = parseManifests(renderStream(binary, options));

  return { values, manifests };
}

/** Returns the values the templates would see, merged as Helm merges them. */
export function mergedValues(
  binary: string,
  options: RenderOptions,
): Record<string, unknown> {
  const output = runRenderer(
    binary,
    [...renderArgs(options), '-values'],
    options.chartDir,
  );

  return JSON.parse(output) as Record<string, unknown>;
}

/** Returns the rendered YAML stream, unchecked, as `helm template` prints it. */
export function renderStream(binary: string, options: RenderOptions): string {
  return runRenderer(binary, renderArgs(options), options.chartDir);
}

/** Renders templates/NOTES.txt with the same values. */
export function renderNotes(binary: string, options: RenderOptions): string {
  return runRenderer(
    binary,
    [...renderArgs(options), '-notes'],
    options.chartDir,
  );
}

function parseManifests(stream: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(stream)) {
    if (document.errors.length > 0) {
      throw new Error(
        `rendered YAML is invalid: ${document.errors.map(String).join('; ')}`,
      );
    }
    const manifest = document.toJS() as Manifest | null;
    if (manifest !== null) manifests.push(manifest);
  }

  return manifests;
}

/** Thrown when merged values break values.schema.json. */
export class ValuesSchemaError extends Error {
  override name = 'ValuesSchemaError';
}

let schemaValidator: ReturnType<Ajv['compile']> | undefined;

/** Checks values against the chart's values.schema.json, as Helm does. */
export function validateValues(values: unknown): void {
  if (schemaValidator === undefined) {
    const schema = JSON.parse(
      readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8'),
    ) as object;
    schemaValidator = new Ajv({
      allErrors: true,
      strict: true,
      allowUnionTypes: true,
    }).compile(schema);
  }
  if (schemaValidator(values)) return;
  const problems = (schemaValidator.errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${
        error.params && 'additionalProperty' in error.params
          ? ` (${String(error.params.additionalProperty)})`
          : ''
      }`,
  );
  throw new ValuesSchemaError(
    `values do not match values.schema.json: ${problems.join('; ')}`,
  );
}

interface Model {
  validate(): void;
}

/** Kubernetes models by `apiVersion/kind`, for every kind the chart makes. */
const MODELS: Record<string, new (data: never) => Model> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'networking.k8s.io/v1/Ingress': Ingress,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/**
 * Validates a manifest against the Kubernetes (or Prometheus Operator)
 * OpenAPI schema of its kind, and throws for a kind with no model.
 * NOTE: the models accept unknown fields, so a misspelled optional field
 * passes, and the tests assert the fields that matter by name.
 */
export function validateManifest(manifest: Manifest): void {
  const key = `${manifest.apiVersion}/${manifest.kind}`;
  const Model = MODELS[key];
  if (Model === undefined) {
    throw new Error(
      `no schema model for ${key} (${manifest.metadata.name}); add one to MODELS`,
    );
  }
  new Model(manifest as never).validate();
}

/** Returns every `.Values.a.b` path that a file under templates/ names. */
export function referencedValuePaths(): Map<string, string[]> {
  const templatesDir = path.join(CHART_DIR, 'templates');
  const paths = new Map<string, string[]>();
  for (const file of readdirSync(templatesDir)) {
    const text = readFileSync(path.join(templatesDir, file), 'utf8');
    for (const match of text.matchAll(/\.Values((?:\.\w+)+)/g)) {
      const valuePath = match[1]!.slice(1);
      paths.set(valuePath, [...(paths.get(valuePath) ?? []), file]);
    }
  }

  return paths;
}

let defaultValues: unknown;

/** Tells whether a dotted path names a key of the chart's values.yaml. */
export function existsInDefaults(valuePath: string): boolean {
  defaultValues ??= parse(
    readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'),
  );
  let node = defaultValues;
  for (const key of valuePath.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in node)) {
      return false;
    }
    node = (node as Record<string, unknown>)[key];
  }

  return true;
}

/** Types of the rendered objects by kind, as the Kubernetes models type them. */
export interface Kinds {
  Deployment: IDeployment;
  Service: IService;
  ServiceAccount: IServiceAccount;
  ConfigMap: IConfigMap;
  Secret: ISecret;
  Ingress: IIngress;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  PodDisruptionBudget: IPodDisruptionBudget;
  ServiceMonitor: IServiceMonitor;
}

/** Finds the one manifest of a kind, failing when there is none or several. */
export function only<Kind extends keyof Kinds>(
  manifests: Manifest[],
  kind: Kind,
): Kinds[Kind] {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}, found ${found.length}`);
  }

  return found[0] as unknown as Kinds[Kind];
}
