import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, parse, parseDocument, type YAMLMap } from 'yaml';
import { loadConfig } from '../src/config/config.loader.js';
import { SETTINGS } from '../src/config/config.schema.js';
import { ROOT } from './support/build.js';
import {
  buildRenderer,
  CHART_DIR,
  existsInDefaults,
  GO_PATH,
  GO_YAML_DIR,
  mergedValues,
  only,
  referencedValuePaths,
  renderChart,
  RenderError,
  renderNotes,
  renderStream,
  SPRIG_DIR,
  validateManifest,
  ValuesSchemaError,
  type Manifest,
  type Render,
} from './support/helm-chart.js';
import { describeWithTool } from './support/system-tools.js';
import type { IContainer, IPodSpec, ISecret } from 'kubernetes-models/v1';

/** A 32-byte HS256 key, the shortest the service accepts. */
const JWT_SECRET = 'chart-test-secret-0123456789abcd';
const DEFAULTS = { set: [`secrets.JWT_SECRET=${JWT_SECRET}`] };
const PRODUCTION = {
  valuesFiles: [path.join(CHART_DIR, 'ci/production-values.yaml')],
};

/**
 * Values that are Kubernetes objects passed through as they are. Their
 * fields are Kubernetes' own, so only the value as a whole needs a comment.
 */
const PASSED_THROUGH = new Set([
  'podSecurityContext',
  'securityContext',
  'resources',
  'probes.startup',
  'probes.liveness',
  'probes.readiness',
  'autoscaling.behavior',
]);

function podSpec(manifests: Manifest[]): IPodSpec {
  return only(manifests, 'Deployment').spec!.template.spec!;
}

function container(manifests: Manifest[]): IContainer {
  return podSpec(manifests).containers[0]!;
}

function configData(manifests: Manifest[]): Record<string, string> {
  return only(manifests, 'ConfigMap').data ?? {};
}

function decodedSecret(manifests: Manifest[]): Record<string, string> {
  const data = only(manifests, 'Secret').data ?? {};
  return Object.fromEntries(
    Object.entries(data).map(([name, value]) => [
      name,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}

function checksumOf(render: Render): string | undefined {
  return only(render.manifests, 'Deployment').spec!.template.metadata!
    .annotations!['checksum/config'];
}

/** Lists `a.b` paths of values.yaml keys that have no comment. */
function uncommentedKeys(map: YAMLMap, prefix: string): string[] {
  const missing: string[] = [];
  map.items.forEach((pair, index) => {
    if (!isScalar(pair.key)) return;
    const name = `${prefix}${String(pair.key.value)}`;
    const comment =
      pair.key.commentBefore ??
      (index === 0 ? map.commentBefore : undefined) ??
      (isScalar(pair.value) ? pair.value.comment : undefined);
    if (!comment) missing.push(name);
    if (isMap(pair.value) && !PASSED_THROUGH.has(name)) {
      missing.push(...uncommentedKeys(pair.value, `${name}.`));
    }
  });

  return missing;
}

/**
 * Writes a small chart that calls each function and object of the renderer's
 * Helm shim, with the results as YAML keys.
 */
function writeFixtureChart(dir: string): void {
  mkdirSync(path.join(dir, 'templates'), { recursive: true });
  mkdirSync(path.join(dir, 'files'), { recursive: true });
  writeFileSync(
    path.join(dir, 'Chart.yaml'),
    'apiVersion: v2\nname: fixture\nversion: 1.2.3\nappVersion: "9"\n',
  );
  writeFileSync(
    path.join(dir, 'values.yaml'),
    [
      'name: chart',
      'templated: "name is {{ .Values.name }}"',
      'list: [1, two]',
      'map: {key: chart, drop: me, kept: "yes"}',
      'big: 1048576',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'files/note.txt'), 'a note\n');
  writeFileSync(
    path.join(dir, 'templates/_names.tpl'),
    '{{- define "fixture.greeting" -}}hello {{ required "name is required" .Values.name }}{{- end -}}\n',
  );
  writeFileSync(
    path.join(dir, 'templates/out.yaml'),
    [
      'include: {{ include "fixture.greeting" . | quote }}',
      'tpl: {{ tpl .Values.templated . | quote }}',
      'json: {{ toJson .Values.list | quote }}',
      'roundTrip: {{ (fromYaml (toYaml .Values.map)).key }}',
      'lookup: {{ len (lookup "v1" "Secret" "default" "any") }}',
      'chart: {{ .Chart.Name }}-{{ .Chart.Version }}',
      'release: {{ .Release.Name }}/{{ .Release.Namespace }}/{{ .Release.Service }}/{{ .Release.Revision }}/{{ .Release.IsInstall }}',
      'template: {{ .Template.Name }} in {{ .Template.BasePath }}',
      'file: {{ .Files.Get "files/note.txt" | trim | quote }}',
      'glob: {{ range $path, $content := .Files.Glob "files/*.txt" }}{{ $path }}{{ end }}',
      'hasApps: {{ .Capabilities.APIVersions.Has "apps/v1" }}',
      'hasMonitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}',
      'kube: {{ .Capabilities.KubeVersion.Version }}',
      'missing: "{{ .Values.nothing }}"',
      'number: "{{ .Values.big }}"',
      '',
    ].join('\n'),
  );
}

/** Splits a URL path into its non-empty slash-separated elements. */
function pathElements(text: string): string[] {
  return text.split('/').filter(Boolean);
}

/**
 * Returns the port name of the Ingress path that serves `requestPath`, by
 * Kubernetes' rules for pathType Prefix: the longest path whose
 * slash-separated elements begin the request path wins. Returns null when
 * no path matches, where the ingress controller returns 404 itself.
 */
function ingressPortFor(
  paths: {
    path?: string;
    backend: { service?: { port?: { name?: string } } };
  }[],
  requestPath: string,
): string | null {
  const requested = pathElements(requestPath);
  let best: { length: number; port: string | null } | null = null;
  for (const item of paths) {
    const prefix = pathElements(item.path ?? '/');
    const matches = prefix.every((element, i) => requested[i] === element);
    if (matches && (best === null || prefix.length > best.length))
      best = {
        length: prefix.length,
        port: item.backend.service?.port?.name ?? null,
      };
  }

  return best?.port ?? null;
}

describeWithTool('golang-go', GO_PATH, 'Helm chart', () => {
  describeWithTool(
    'golang-github-masterminds-sprig-dev',
    SPRIG_DIR,
    'Helm chart with sprig',
    () => {
      describeWithTool(
        'golang-github-ghodss-yaml-dev',
        GO_YAML_DIR,
        'Helm chart rendering',
        () => {
          let workDir: string;
          let renderer: string;
          let defaults: Render;
          let production: Render;

          beforeAll(() => {
            workDir = mkdtempSync(path.join(tmpdir(), 'helm-chart-'));
            renderer = buildRenderer(workDir);
            defaults = renderChart(renderer, DEFAULTS);
            production = renderChart(renderer, PRODUCTION);
          }, 150_000);

          afterAll(() => {
            if (workDir) rmSync(workDir, { recursive: true, force: true });
          });

          describe('metadata and values', () => {
            it('takes appVersion from package.json', () => {
              const chart = parse(
                readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8'),
              ) as Record<string, unknown>;
              const pkg = JSON.parse(
                readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
              ) as { version: string };
              expect(chart.apiVersion).toBe('v2');
              expect(chart.name).toBe('market-data-api');
              expect(chart.appVersion).toBe(pkg.version);
            });

            it('comments every value in values.yaml', () => {
              const document = parseDocument(
                readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'),
              );
              expect(isMap(document.contents)).toBe(true);
              expect(uncommentedKeys(document.contents as YAMLMap, '')).toEqual(
                [],
              );
            });

            it('defines every .Values path the templates use', () => {
              const paths = referencedValuePaths();
              expect(paths.size).toBeGreaterThan(50);
              const missing = [...paths]
                .filter(([valuePath]) => !existsInDefaults(valuePath))
                .map(([valuePath, files]) => `${valuePath} (${files.join()})`);
              expect(missing).toEqual([]);
            });

            it('finds an undefined .Values path', () => {
              expect(existsInDefaults('ingress.nginx.enabled')).toBe(true);
              expect(existsInDefaults('ingress.nginx.enabeld')).toBe(false);
              expect(existsInDefaults('image.tag.extra')).toBe(false);
            });

            it('schema rejects a string replica count', () => {
              expect(() =>
                renderChart(renderer, {
                  set: [...DEFAULTS.set, 'replicaCount=two'],
                }),
              ).toThrow(/replicaCount must be integer/);
            });

            it('schema rejects an unknown top-level key', () => {
              expect(() =>
                renderChart(renderer, {
                  set: [...DEFAULTS.set, 'replicas=3'],
                }),
              ).toThrow(/must NOT have additional properties \(replicas\)/);
            });

            it('schema rejects bad nested values', () => {
              const cases = [
                ['ports.http=70000', /\/ports\/http must be <= 65535/],
                ['service.type=Internal', /\/service\/type must be equal/],
                ['config.log_level=info', /\/config property name/],
                ['redis.url=http://redis:6379', /\/redis\/url must match/],
              ] as const;
              for (const [assignment, message] of cases) {
                expect(() =>
                  renderChart(renderer, { set: [...DEFAULTS.set, assignment] }),
                ).toThrow(ValuesSchemaError);
                expect(() =>
                  renderChart(renderer, { set: [...DEFAULTS.set, assignment] }),
                ).toThrow(message);
              }
            });

            it('accepts the default and production values', () => {
              expect(defaults.values.replicaCount).toBe(2);
              expect(production.values.existingSecret).toBe(
                'market-data-api-secrets',
              );
            });
          });

          describe('render failures', () => {
            it('fails without JWT material in production', () => {
              expect(() => renderChart(renderer, {})).toThrow(RenderError);
              expect(() => renderChart(renderer, {})).toThrow(
                /NODE_ENV=production requires authentication: set secrets\.JWT_SECRET/,
              );
            });

            it('renders without JWT outside production', () => {
              const render = renderChart(renderer, {
                set: ['config.NODE_ENV=development'],
              });
              expect(configData(render.manifests).NODE_ENV).toBe('development');
            });

            it('accepts a JWKS URL instead of a secret', () => {
              const render = renderChart(renderer, {
                set: ['config.JWT_JWKS_URL=https://auth.example.com/jwks'],
              });
              expect(configData(render.manifests).JWT_JWKS_URL).toBe(
                'https://auth.example.com/jwks',
              );
            });

            it('fails on a short JWT secret', () => {
              expect(() =>
                renderChart(renderer, { set: ['secrets.JWT_SECRET=short'] }),
              ).toThrow(/JWT_SECRET is too short \(5 bytes\)/);
            });

            it('fails on a secret under config', () => {
              expect(() =>
                renderChart(renderer, {
                  set: [...DEFAULTS.set, 'config.POLYGON_KEY=abc'],
                }),
              ).toThrow(
                /config\.POLYGON_KEY is a secret: set secrets\.POLYGON_KEY/,
              );
            });

            it('fails on a short grace period', () => {
              expect(() =>
                renderChart(renderer, {
                  set: [...DEFAULTS.set, 'terminationGracePeriodSeconds=20'],
                }),
              ).toThrow(
                /terminationGracePeriodSeconds \(20\) must exceed SHUTDOWN_DRAIN_DELAY \+ REQUEST_DEADLINE \+ 2 = 22/,
              );
            });

            it('fails on a budget that blocks drains', () => {
              const single = [
                ...DEFAULTS.set,
                'autoscaling.enabled=false',
                'replicaCount=1',
              ];
              const cases: [string[], RegExp][] = [
                [
                  [...single, 'podDisruptionBudget.minAvailable=1'],
                  /podDisruptionBudget\.minAvailable \(1\) leaves no pod to evict with 1 replicas/,
                ],
                [
                  [...DEFAULTS.set, 'podDisruptionBudget.minAvailable=2'],
                  /podDisruptionBudget\.minAvailable \(2\) leaves no pod to evict with 2 replicas/,
                ],
                [
                  [...DEFAULTS.set, 'podDisruptionBudget.minAvailable=100%'],
                  /podDisruptionBudget\.minAvailable \(100%\) leaves no pod to evict/,
                ],
                [
                  [...DEFAULTS.set, 'podDisruptionBudget.maxUnavailable=0'],
                  /podDisruptionBudget\.maxUnavailable \(0\) lets no pod be evicted/,
                ],
              ];
              for (const [set, message] of cases) {
                expect(() => renderChart(renderer, { set })).toThrow(message);
              }
            });

            it('lets a single replica drain', () => {
              const render = renderChart(renderer, {
                set: [
                  ...DEFAULTS.set,
                  'autoscaling.enabled=false',
                  'replicaCount=1',
                ],
              });
              const spec = only(render.manifests, 'PodDisruptionBudget').spec!;
              expect(spec.maxUnavailable).toBe(1);
              expect(spec.minAvailable).toBeUndefined();
            });

            it('counts a zero drain delay as zero', () => {
              // 0 + 15 + 2 = 17 s, which a 20 s grace period covers.
              const render = renderChart(renderer, {
                set: [
                  ...DEFAULTS.set,
                  'config.SHUTDOWN_DRAIN_DELAY=0',
                  'terminationGracePeriodSeconds=20',
                ],
              });
              expect(configData(render.manifests).SHUTDOWN_DRAIN_DELAY).toBe(
                '0',
              );
              expect(
                podSpec(render.manifests).terminationGracePeriodSeconds,
              ).toBe(20);
            });

            it('fails on both Redis sources', () => {
              expect(() =>
                renderChart(renderer, {
                  set: [
                    ...DEFAULTS.set,
                    'redis.url=redis://redis:6379',
                    'redis.existingSecret=redis',
                  ],
                }),
              ).toThrow(/redis\.url and redis\.existingSecret are both set/);
            });

            it('fails on API keys without JWT_SECRET', () => {
              expect(() =>
                renderChart(renderer, {
                  set: [
                    'config.JWT_JWKS_URL=https://auth.example.com/jwks',
                    'apiKeysFile.enabled=true',
                    'apiKeysFile.existingSecret=keys',
                  ],
                }),
              ).toThrow(/apiKeysFile\.enabled needs JWT_SECRET/);
            });
          });

          describe('Kubernetes schemas', () => {
            it('validates every default document', () => {
              const kinds = defaults.manifests.map((manifest) => manifest.kind);
              expect(kinds.sort()).toEqual([
                'ConfigMap',
                'Deployment',
                'HorizontalPodAutoscaler',
                'PodDisruptionBudget',
                'Secret',
                'Service',
                'ServiceAccount',
              ]);
              for (const manifest of defaults.manifests) {
                expect(() => validateManifest(manifest)).not.toThrow();
              }
            });

            it('validates every production document', () => {
              const kinds = production.manifests.map(
                (manifest) => manifest.kind,
              );
              expect(kinds.sort()).toEqual([
                'ConfigMap',
                'Deployment',
                'HorizontalPodAutoscaler',
                'Ingress',
                'PodDisruptionBudget',
                'Service',
                'ServiceAccount',
                'ServiceMonitor',
              ]);
              for (const manifest of production.manifests) {
                expect(() => validateManifest(manifest)).not.toThrow();
              }
            });

            it('rejects an invalid document', () => {
              const deployment = structuredClone(
                only(defaults.manifests, 'Deployment'),
              );
              const port =
                deployment.spec!.template.spec!.containers[0]!.ports![0]!;
              Object.assign(port, { containerPort: 'http' });
              expect(() =>
                validateManifest(deployment as unknown as Manifest),
              ).toThrow(/containerPort must be integer/);
            });

            it('rejects a kind without a model', () => {
              const widget = {
                apiVersion: 'example.com/v1',
                kind: 'Widget',
                metadata: { name: 'widget' },
              };
              expect(() => validateManifest(widget)).toThrow(
                /no schema model for example\.com\/v1\/Widget/,
              );
            });
          });

          describe('Deployment', () => {
            it('restricts the pod security context', () => {
              const context = podSpec(defaults.manifests).securityContext!;
              expect(context.runAsNonRoot).toBe(true);
              expect(Number.isInteger(context.runAsUser)).toBe(true);
              expect(context.runAsUser).toBeGreaterThan(0);
              expect(context.runAsGroup).toBeGreaterThan(0);
              expect(context.seccompProfile).toEqual({
                type: 'RuntimeDefault',
              });
            });

            it('restricts the container security context', () => {
              const context = container(defaults.manifests).securityContext!;
              expect(context.runAsNonRoot).toBe(true);
              expect(context.runAsUser).toBeGreaterThan(0);
              expect(context.readOnlyRootFilesystem).toBe(true);
              expect(context.allowPrivilegeEscalation).toBe(false);
              expect(context.privileged).toBe(false);
              expect(context.capabilities).toEqual({ drop: ['ALL'] });
              expect(context.seccompProfile).toEqual({
                type: 'RuntimeDefault',
              });
            });

            it('mounts a writable emptyDir on /tmp', () => {
              const mount = container(defaults.manifests).volumeMounts!.find(
                (item) => item.mountPath === '/tmp',
              );
              expect(mount).toBeDefined();
              expect(mount!.readOnly).toBeUndefined();
              const volume = podSpec(defaults.manifests).volumes!.find(
                (item) => item.name === mount!.name,
              );
              expect(volume?.emptyDir).toBeDefined();
            });

            it('probes the health endpoints', () => {
              const main = container(defaults.manifests);
              expect(main.ports).toEqual([
                { name: 'http', containerPort: 8000, protocol: 'TCP' },
                { name: 'streaming', containerPort: 8001, protocol: 'TCP' },
              ]);
              expect(main.livenessProbe!.httpGet).toEqual({
                path: '/health/live',
                port: 'http',
              });
              expect(main.readinessProbe!.httpGet).toEqual({
                path: '/health/ready',
                port: 'http',
              });
              expect(main.startupProbe!.httpGet).toEqual({
                path: '/health/live',
                port: 'http',
              });
            });

            it('reads settings and secrets from references', () => {
              const main = container(defaults.manifests);
              const configMap = only(defaults.manifests, 'ConfigMap');
              const secret = only(defaults.manifests, 'Secret');
              expect(main.envFrom).toEqual([
                { configMapRef: { name: configMap.metadata!.name } },
                { secretRef: { name: secret.metadata!.name } },
              ]);
              expect(main.resources!.requests).toEqual({
                cpu: '250m',
                memory: '256Mi',
              });
            });

            it('rolls pods when the settings change', () => {
              const debug = renderChart(renderer, {
                set: [...DEFAULTS.set, 'config.LOG_LEVEL=debug'],
              });
              expect(checksumOf(defaults)).toMatch(/^[0-9a-f]{64}$/);
              expect(checksumOf(debug)).toMatch(/^[0-9a-f]{64}$/);
              expect(checksumOf(debug)).not.toBe(checksumOf(defaults));
            });

            it('outlasts the shutdown drain', () => {
              const spec = podSpec(defaults.manifests);
              const data = configData(defaults.manifests);
              expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(
                Number(data.SHUTDOWN_DRAIN_DELAY) +
                  Number(data.REQUEST_DEADLINE),
              );
            });

            it('spreads pods across nodes', () => {
              const constraints = podSpec(
                defaults.manifests,
              ).topologySpreadConstraints!;
              const selector = only(defaults.manifests, 'Deployment').spec!
                .selector.matchLabels;
              const byNode = constraints.find(
                (item) => item.topologyKey === 'kubernetes.io/hostname',
              );
              expect(byNode?.maxSkew).toBe(1);
              expect(byNode?.labelSelector?.matchLabels).toEqual(selector);
            });

            it('leaves replicas to the HPA', () => {
              const deployment = only(defaults.manifests, 'Deployment');
              expect(deployment.spec!.replicas).toBeUndefined();
              const fixed = renderChart(renderer, {
                set: [...DEFAULTS.set, 'autoscaling.enabled=false'],
              });
              expect(only(fixed.manifests, 'Deployment').spec!.replicas).toBe(
                2,
              );
              const kinds = fixed.manifests.map((manifest) => manifest.kind);
              expect(kinds).not.toContain('HorizontalPodAutoscaler');
            });

            it('uses the existing secrets in production', () => {
              const main = container(production.manifests);
              expect(main.envFrom![1]).toEqual({
                secretRef: { name: 'market-data-api-secrets' },
              });
              expect(main.env).toEqual([
                {
                  name: 'REDIS_URL',
                  valueFrom: {
                    secretKeyRef: { name: 'market-data-redis', key: 'url' },
                  },
                },
              ]);
              const keysVolume = podSpec(production.manifests).volumes!.find(
                (item) => item.name === 'api-keys',
              );
              expect(keysVolume?.secret?.secretName).toBe(
                'market-data-api-keys',
              );
              expect(configData(production.manifests).API_KEYS_FILE).toBe(
                '/etc/market-data-api/keys/api-keys.yaml',
              );
              const kinds = production.manifests.map(
                (manifest) => manifest.kind,
              );
              expect(kinds).not.toContain('Secret');
            });
          });

          describe('Service and Ingress', () => {
            it('exposes the HTTP and WebSocket ports', () => {
              const spec = only(defaults.manifests, 'Service').spec!;
              expect(spec.ports).toEqual([
                expect.objectContaining({
                  name: 'http',
                  port: 8000,
                  targetPort: 'http',
                }),
                expect.objectContaining({
                  name: 'streaming',
                  port: 8001,
                  targetPort: 'streaming',
                }),
              ]);
              expect(spec.selector).toEqual(
                only(defaults.manifests, 'Deployment').spec!.selector
                  .matchLabels,
              );
            });

            it('routes streaming paths to port 8001', () => {
              const rules = only(production.manifests, 'Ingress').spec!.rules!;
              expect(rules).toHaveLength(1);
              expect(rules[0]!.host).toBe('market-data.example.com');
              const paths = rules[0]!.http!.paths;
              for (const item of paths) expect(item.pathType).toBe('Prefix');
              const routes = Object.fromEntries(
                paths.map((item) => [
                  item.path,
                  item.backend.service?.port?.name,
                ]),
              );
              expect(routes).toEqual({
                '/ws': 'streaming',
                '/socket.io': 'streaming',
                '/api': 'http',
                '/auth': 'http',
                '/docs': 'http',
                '/docs-json': 'http',
                '/docs-yaml': 'http',
                '/problems': 'http',
                '/health': 'http',
              });
            });

            it('keeps /metrics off the Ingress', () => {
              const paths = only(production.manifests, 'Ingress').spec!
                .rules![0]!.http!.paths;
              const cases: [string, string | null][] = [
                ['/metrics', null],
                ['/metrics/', null],
                ['/', null],
                ['/api/quotes/AAPL', 'http'],
                ['/auth/token', 'http'],
                ['/docs/swagger-ui.css', 'http'],
                ['/docs-json', 'http'],
                ['/problems/rate-limited', 'http'],
                ['/health/ready', 'http'],
                ['/ws', 'streaming'],
                ['/socket.io/', 'streaming'],
              ];
              for (const [requestPath, port] of cases) {
                expect(
                  ingressPortFor(paths, requestPath),
                  `port for ${requestPath}`,
                ).toBe(port);
              }
            });

            it('pins Socket.IO clients with a cookie', () => {
              const annotations = only(production.manifests, 'Ingress')
                .metadata!.annotations!;
              expect(annotations['nginx.ingress.kubernetes.io/affinity']).toBe(
                'cookie',
              );
              expect(
                annotations['nginx.ingress.kubernetes.io/session-cookie-name'],
              ).toBe('mda-affinity');
              expect(
                Number(
                  annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'],
                ),
              ).toBeGreaterThanOrEqual(3600);
              expect(
                Number(
                  annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'],
                ),
              ).toBeGreaterThanOrEqual(3600);
              expect(annotations['cert-manager.io/cluster-issuer']).toBe(
                'letsencrypt',
              );
            });

            it('terminates TLS in production', () => {
              const spec = only(production.manifests, 'Ingress').spec!;
              expect(spec.ingressClassName).toBe('nginx');
              expect(spec.tls).toEqual([
                {
                  secretName: 'market-data-tls',
                  hosts: ['market-data.example.com'],
                },
              ]);
            });

            it('renders no Ingress by default', () => {
              const kinds = defaults.manifests.map((manifest) => manifest.kind);
              expect(kinds).not.toContain('Ingress');
            });
          });

          describe('scaling and monitoring', () => {
            it('autoscales from 2 to 20 pods', () => {
              const spec = only(
                defaults.manifests,
                'HorizontalPodAutoscaler',
              ).spec!;
              expect(spec.minReplicas).toBe(2);
              expect(spec.maxReplicas).toBe(20);
              expect(spec.scaleTargetRef).toEqual({
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: only(defaults.manifests, 'Deployment').metadata!.name,
              });
              const targets = Object.fromEntries(
                spec.metrics!.map((metric) => [
                  metric.resource?.name,
                  metric.resource?.target,
                ]),
              );
              expect(targets).toEqual({
                cpu: { type: 'Utilization', averageUtilization: 70 },
                memory: { type: 'Utilization', averageUtilization: 80 },
              });
            });

            it('scales up fast and down slowly', () => {
              const { scaleUp, scaleDown } = only(
                defaults.manifests,
                'HorizontalPodAutoscaler',
              ).spec!.behavior!;
              expect(scaleUp!.stabilizationWindowSeconds).toBe(0);
              expect(
                scaleDown!.stabilizationWindowSeconds,
              ).toBeGreaterThanOrEqual(300);
              const upPercent = scaleUp!.policies!.find(
                (item) => item.type === 'Percent',
              );
              const downPercent = scaleDown!.policies!.find(
                (item) => item.type === 'Percent',
              );
              expect(upPercent!.value).toBeGreaterThan(downPercent!.value);
              expect(upPercent!.periodSeconds).toBeLessThan(
                downPercent!.periodSeconds,
              );
            });

            it('keeps pods up during disruptions', () => {
              const selector = only(defaults.manifests, 'Deployment').spec!
                .selector;
              const spec = only(
                defaults.manifests,
                'PodDisruptionBudget',
              ).spec!;
              expect(spec.maxUnavailable).toBe(1);
              expect(spec.selector).toEqual(selector);
              const strict = only(
                production.manifests,
                'PodDisruptionBudget',
              ).spec!;
              expect(strict.minAvailable).toBe(2);
              expect(strict.maxUnavailable).toBeUndefined();
            });

            it('adds a ServiceMonitor only when enabled', () => {
              const kinds = defaults.manifests.map((manifest) => manifest.kind);
              expect(kinds).not.toContain('ServiceMonitor');
              const monitor = only(production.manifests, 'ServiceMonitor');
              expect(monitor.metadata!.labels!.release).toBe(
                'kube-prometheus-stack',
              );
              expect(monitor.spec.endpoints).toEqual([
                expect.objectContaining({
                  port: 'http',
                  path: '/metrics',
                  interval: '15s',
                }),
              ]);
            });

            it('warns in NOTES when Redis is missing', () => {
              expect(renderNotes(renderer, DEFAULTS)).toMatch(
                /WARNING: no Redis is configured/,
              );
              expect(renderNotes(renderer, PRODUCTION)).not.toMatch(/WARNING/);
              expect(renderNotes(renderer, PRODUCTION)).toContain(
                'wss://market-data.example.com/ws',
              );
            });
          });
          describe('renderer shim', () => {
            let fixtureDir: string;
            let overridesFile: string;

            beforeAll(() => {
              fixtureDir = path.join(workDir, 'fixture');
              writeFixtureChart(fixtureDir);
              overridesFile = path.join(workDir, 'fixture-overrides.yaml');
              writeFileSync(overridesFile, 'map:\n  drop: null\nname: file\n');
            });

            function renderFixture(
              set: string[] = [],
            ): Record<string, unknown> {
              const stream = renderStream(renderer, {
                chartDir: fixtureDir,
                valuesFiles: [overridesFile],
                set,
              });
              expect(stream).toMatch(
                /^---\n# Source: fixture\/templates\/out\.yaml\n/,
              );
              return parse(stream) as Record<string, unknown>;
            }

            it('merges files, then overrides', () => {
              const values = mergedValues(renderer, {
                chartDir: fixtureDir,
                valuesFiles: [overridesFile],
                set: ['map.key=set', 'list=null'],
              });
              expect(values.name).toBe('file');
              expect(values.map).toEqual({ key: 'set', kept: 'yes' });
              expect(values).not.toHaveProperty('list');
            });

            it('runs include, tpl and the YAML functions', () => {
              const output = renderFixture();
              expect(output.include).toBe('hello file');
              expect(output.tpl).toBe('name is file');
              expect(output.json).toBe('[1,"two"]');
              expect(output.roundTrip).toBe('chart');
              expect(output.lookup).toBe(0);
            });

            it('provides the built-in objects', () => {
              const output = renderFixture();
              expect(output.chart).toBe('fixture-1.2.3');
              expect(output.release).toBe('release-name/default/Helm/1/true');
              expect(output.template).toBe(
                'fixture/templates/out.yaml in fixture/templates',
              );
              expect(output.file).toBe('a note');
              expect(output.glob).toBe('files/note.txt');
              expect(output.hasApps).toBe(true);
              expect(output.hasMonitoring).toBe(false);
              expect(output.kube).toBe('v1.30.0');
            });

            it('renders missing keys and numbers as Helm does', () => {
              const output = renderFixture();
              expect(output.missing).toBe('');
              expect(output.number).toBe('1.048576e+06');
              expect(renderFixture(['big=2097152']).number).toBe('2097152');
            });

            it('fails on required and removed functions', () => {
              expect(() => renderFixture(['name=null'])).toThrow(
                /execution error at \(fixture\/templates\/_names\.tpl:\d+:\d+\): name is required/,
              );
              writeFileSync(
                path.join(fixtureDir, 'templates/env.yaml'),
                'home: {{ env "HOME" }}\n',
              );
              try {
                expect(() => renderFixture()).toThrow(
                  /function "env" not defined/,
                );
              } finally {
                rmSync(path.join(fixtureDir, 'templates/env.yaml'));
              }
            });
          });

          describe('service settings', () => {
            it('uses only real setting names', () => {
              const known = new Set(Object.keys(SETTINGS));
              for (const render of [defaults, production]) {
                const names = Object.keys(configData(render.manifests));
                expect(names.length).toBeGreaterThan(10);
                expect(names.filter((name) => !known.has(name))).toEqual([]);
              }
              const secret = decodedSecret(defaults.manifests);
              expect(
                Object.keys(secret).filter((name) => !known.has(name)),
              ).toEqual([]);
            });

            it('writes values each setting accepts', () => {
              for (const render of [defaults, production]) {
                for (const [name, value] of Object.entries(
                  configData(render.manifests),
                )) {
                  const field = SETTINGS[name as keyof typeof SETTINGS];
                  expect(field, `${name} is not a setting`).toBeDefined();
                  const result = field.safeParse(value);
                  expect(result.success, `${name}=${value}`).toBe(true);
                }
              }
            });

            it('writes whole numbers without an exponent', () => {
              const data = configData(defaults.manifests);
              expect(data.WS_MAX_BUFFERED_BYTES).toBe('1048576');
              expect(data.API_HOST).toBe('0.0.0.0');
              expect(data.API_PORT).toBe('8000');
              expect(data.WS_PORT).toBe('8001');
              expect(data).not.toHaveProperty('CORS_ORIGINS');
              expect(configData(production.manifests).RATE_LIMIT_TIERS).toBe(
                'free:100,pro:10000',
              );
            });

            it('trusts no proxy by default', () => {
              // A trusted range that contains client addresses lets those
              // clients pick their rate-limit bucket with X-Forwarded-For.
              expect(configData(defaults.manifests)).not.toHaveProperty(
                'TRUSTED_PROXIES',
              );
              expect(configData(production.manifests).TRUSTED_PROXIES).toBe(
                '10.42.0.0/16',
              );
            });

            it('warns in NOTES about an untrusted Ingress', () => {
              const ingress = [...DEFAULTS.set, 'ingress.enabled=true'];
              expect(renderNotes(renderer, { set: ingress })).toMatch(
                /WARNING: config\.TRUSTED_PROXIES is not set/,
              );
              expect(renderNotes(renderer, PRODUCTION)).not.toMatch(
                /TRUSTED_PROXIES/,
              );
            });

            it('stores inline API keys in a Secret', () => {
              const content = 'keys: []\n';
              const render = renderChart(renderer, {
                set: [
                  ...DEFAULTS.set,
                  'apiKeysFile.enabled=true',
                  `apiKeysFile.content=${content}`,
                  'redis.url=redis://redis.example.com:6379/0',
                ],
              });
              for (const manifest of render.manifests) {
                expect(() => validateManifest(manifest)).not.toThrow();
              }

              const keysSecret = render.manifests.find((manifest) =>
                manifest.metadata.name.endsWith('-api-keys'),
              ) as ISecret | undefined;
              expect(keysSecret?.kind).toBe('Secret');
              const encoded = keysSecret?.data?.['api-keys.yaml'] ?? '';
              expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(
                content,
              );

              const keysVolume = podSpec(render.manifests).volumes!.find(
                (item) => item.name === 'api-keys',
              );
              expect(keysVolume?.secret?.secretName).toBe(
                keysSecret?.metadata?.name,
              );

              const data = configData(render.manifests);
              expect(data.API_KEYS_FILE).toBe(
                '/etc/market-data-api/keys/api-keys.yaml',
              );
              expect(data.REDIS_URL).toBe('redis://redis.example.com:6379/0');
            });

            it('drops a setting set to null', () => {
              const render = renderChart(renderer, {
                set: [...DEFAULTS.set, 'config.LOG_LEVEL=null'],
              });
              expect(configData(render.manifests)).not.toHaveProperty(
                'LOG_LEVEL',
              );
            });

            it('starts the service with the default render', () => {
              const data = configData(defaults.manifests);
              const secret = decodedSecret(defaults.manifests);
              expect(secret).toEqual({ JWT_SECRET });
              const config = loadConfig({
                env: { ...data, ...secret },
                cwd: workDir,
              });
              expect(config.env).toBe('production');
              expect(config.security.authEnabled).toBe(true);
              expect(config.api).toEqual({ host: '0.0.0.0', port: 8000 });
            });

            it('starts the service with the production render', () => {
              const data = configData(production.manifests);
              const keysFile = path.join(workDir, 'api-keys.yaml');
              const digest = createHash('sha256').update('key').digest('hex');
              writeFileSync(
                keysFile,
                `keys:\n  - name: ci\n    sha256: ${digest}\n    scopes: [quotes:read]\n    tier: pro\n`,
              );
              const config = loadConfig({
                env: {
                  ...data,
                  API_KEYS_FILE: keysFile,
                  JWT_SECRET,
                  REDIS_URL: 'redis://:password@redis.example.com:6379/0',
                },
                cwd: workDir,
              });
              expect(config.logLevel).toBe('warn');
              expect(config.security.cors.origins).toEqual([
                'https://app.example.com',
              ]);
              expect(config.security.apiKeys).toHaveLength(1);
            });
          });
        },
      );
    },
  );
});
