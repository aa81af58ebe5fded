import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.loader.js';
import { ROOT } from './support/build.js';
import {
  type ComposeDocument,
  composeValidator,
  readCompose,
} from './support/compose.js';
import {
  loopbackNginxConf,
  NGINX_CONF_PATH,
  NGINX_PATH,
  nginxPrefix,
  testNginxConf,
} from './support/nginx.js';
import { describeWithTool } from './support/system-tools.js';

const DOCKER_DIR = path.join(ROOT, 'docker');
const COMPOSE_PATH = path.join(DOCKER_DIR, 'docker-compose.yml');
const PROMETHEUS_CONFIG_PATH = path.join(DOCKER_DIR, 'prometheus.yml');
const PROMTOOL_PATH = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
/** What docker-compose.yml requires from the environment. */
const COMPOSE_ENV = { JWT_SECRET: 'a-secret-of-at-least-32-bytes-for-hs256' };

function composeFile(): ComposeDocument {
  return readCompose(COMPOSE_PATH, COMPOSE_ENV);
}

function service(name: string): Record<string, unknown> {
  const found = composeFile().services?.[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);

  return found;
}

/** Returns the value after `--name` in a command given as a list. */
function optionOf(command: unknown, name: string): string | undefined {
  if (!Array.isArray(command)) return undefined;
  const index = command.indexOf(`--${name}`);

  return index === -1 ? undefined : String(command[index + 1]);
}

/** Parses Redis's memory size notation (`512mb`, `1gb`, `100000`) into bytes. */
function redisBytes(size: string): number {
  const match = /^(\d+)(b|kb|mb|gb)?$/i.exec(size);
  if (!match) throw new Error(`invalid Redis memory size: ${size}`);
  const units: Record<string, number> = {
    b: 1,
    kb: 1024,
    mb: 1024 ** 2,
    gb: 1024 ** 3,
  };

  return Number(match[1]) * units[(match[2] ?? 'b').toLowerCase()]!;
}

/** Reads a provisioning file of docker/grafana/provisioning. */
function provisioning(file: string): Record<string, unknown> {
  return parseYaml(
    readFileSync(path.join(DOCKER_DIR, 'grafana/provisioning', file), 'utf8'),
  ) as Record<string, unknown>;
}

/** Maps each container path that docker-compose.yml mounts for `name` to its host path. */
function mounts(name: string): Map<string, string> {
  const volumes = service(name).volumes as string[];
  const entries = volumes
    .filter((volume) => volume.startsWith('./'))
    .map((volume) => {
      const [host = '', container = ''] = volume.split(':');
      return [container, path.join(DOCKER_DIR, host)] as const;
    });

  return new Map(entries);
}

/** Points nginx.conf at two instances on loopback. nginx -t binds no port, so any port number works. */
function loopback(text: string): string {
  return loopbackNginxConf(text, {
    listenPort: 18_080,
    apiPorts: [18_000, 18_010],
    streamPorts: [18_001, 18_011],
  });
}

describe('docker-compose.yml', () => {
  it('validates against the Compose schema', () => {
    const validate = composeValidator();

    const valid = validate(composeFile());

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('fails validation when broken', () => {
    const validate = composeValidator();
    const broken = composeFile();
    const api = broken.services!.api!;
    api.deploy = { replicas: 'three' };
    api.healthcheck = { ...(api.healthcheck as object), interval: 'often' };
    api.restrat = 'always';

    const valid = validate(broken);
    const paths = (validate.errors ?? []).map((error) => error.instancePath);

    expect(valid).toBe(false);
    expect(paths).toContain('/services/api/deploy/replicas');
    expect(paths).toContain('/services/api/healthcheck/interval');
    expect(paths).toContain('/services/api');
  });

  it('requires JWT_SECRET', () => {
    expect(() => readCompose(COMPOSE_PATH, {})).toThrow(
      /JWT_SECRET is missing/,
    );
    expect(() => readCompose(COMPOSE_PATH, { JWT_SECRET: '' })).toThrow(
      /JWT_SECRET is missing/,
    );
  });

  it('runs three API replicas for production', () => {
    const api = service('api');
    const env = api.environment as Record<string, string>;

    expect(api.build).toBe('..');
    expect(api.deploy).toEqual({ replicas: 3 });
    expect(env.NODE_ENV).toBe('production');
    expect(env.API_HOST).toBe('0.0.0.0');
    expect(env.JWT_SECRET).toBe(COMPOSE_ENV.JWT_SECRET);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(api.healthcheck).toMatchObject({
      test: expect.arrayContaining([
        expect.stringContaining('/health/ready'),
      ]) as unknown,
    });
  });

  it('passes the service configuration check', () => {
    // The image's working folder contains config/ and no .env.
    const cwd = mkdtempSync(path.join(tmpdir(), 'compose-config-'));
    cpSync(path.join(ROOT, 'config'), path.join(cwd, 'config'), {
      recursive: true,
    });
    const env = service('api').environment as Record<string, string>;
    try {
      const config = loadConfig({ env, cwd });

      expect(config.env).toBe('production');
      expect(config.api).toEqual({ host: '0.0.0.0', port: 8000 });
      expect(config.streaming.port).toBe(8001);
      expect(config.security.authEnabled).toBe(true);
      expect(config.security.trustedProxies).toEqual(['172.28.0.0/16']);
      expect(config.redisUrl).toBe('redis://redis:6379');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('trusts the network nginx connects from', () => {
    const env = service('api').environment as Record<string, string>;
    const networks = composeFile().networks as Record<
      string,
      { ipam: { config: { subnet: string }[] } }
    >;
    const subnets = networks.backend!.ipam.config.map((entry) => entry.subnet);

    expect(service('nginx').networks).toEqual(['backend']);
    expect(service('api').networks).toEqual(['backend']);
    expect(subnets).toEqual([env.TRUSTED_PROXIES]);
  });

  it('gives Redis a budget, volatile-lru and an AOF', () => {
    const redis = service('redis');
    const maxMemory = optionOf(redis.command, 'maxmemory');

    expect(optionOf(redis.command, 'maxmemory-policy')).toBe('volatile-lru');
    expect(optionOf(redis.command, 'appendonly')).toBe('yes');
    expect(maxMemory).toBeDefined();
    expect(redisBytes(maxMemory!)).toBeGreaterThanOrEqual(64 * 1024 ** 2);
    expect(redis.volumes).toEqual(['redis-data:/data']);
  });

  it('pins every image version', () => {
    const services = composeFile().services!;
    const images = Object.entries(services)
      .filter(([name]) => name !== 'api')
      .map(([, definition]) => String(definition.image));

    expect(Object.keys(services).sort()).toEqual([
      'api',
      'grafana',
      'nginx',
      'prometheus',
      'redis',
    ]);
    for (const image of images) expect(image).toMatch(/:v?\d+\.\d+\.\d+/);
  });

  it('mounts the files of docker/', () => {
    const nginx = mounts('nginx');
    const prometheus = mounts('prometheus');

    expect(nginx.get('/etc/nginx/nginx.conf')).toBe(NGINX_CONF_PATH);
    expect(prometheus.get('/etc/prometheus/prometheus.yml')).toBe(
      PROMETHEUS_CONFIG_PATH,
    );
    for (const [container, host] of [...nginx, ...prometheus])
      expect(existsSync(host), `${host} for ${container}`).toBe(true);
  });
});

describe('Grafana provisioning', () => {
  it('provisions Prometheus as the default data source', () => {
    const { datasources } = provisioning('datasources/prometheus.yml') as {
      datasources: Record<string, unknown>[];
    };

    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({
      type: 'prometheus',
      url: 'http://prometheus:9090',
      isDefault: true,
    });
  });

  it('loads the dashboard file', () => {
    const { providers } = provisioning('dashboards/market-data-api.yml') as {
      providers: { type: string; options: { path: string } }[];
    };
    const folder = providers[0]!.options.path;
    const grafana = mounts('grafana');
    const dashboards = [...grafana].filter(
      ([container]) => path.dirname(container) === folder,
    );

    expect(providers).toHaveLength(1);
    expect(providers[0]!.type).toBe('file');
    expect(grafana.get('/etc/grafana/provisioning')).toBe(
      path.join(DOCKER_DIR, 'grafana/provisioning'),
    );
    expect(dashboards.map(([, host]) => host)).toEqual([
      path.join(DOCKER_DIR, 'grafana/market-data-api.json'),
    ]);
    const dashboard = JSON.parse(readFileSync(dashboards[0]![1], 'utf8')) as {
      uid: string;
      panels: unknown[];
    };
    expect(dashboard.uid).toBe('market-data-api');
    expect(dashboard.panels.length).toBeGreaterThan(0);
  });
});

describeWithTool('nginx-light', NGINX_PATH, 'nginx.conf', () => {
  const prefixes: string[] = [];

  afterEach(() => {
    for (const prefix of prefixes.splice(0))
      rmSync(prefix, { recursive: true, force: true });
  });

  const check = (conf: string) => {
    const prefix = nginxPrefix(conf);
    prefixes.push(prefix);

    return testNginxConf(prefix);
  };

  it('passes nginx -t on loopback', () => {
    const conf = loopback(readFileSync(NGINX_CONF_PATH, 'utf8'));

    const result = check(conf);

    expect(result.output).toContain('test is successful');
    expect(result.status).toBe(0);
    expect(conf).toContain('server 127.0.0.1:18010 max_fails=1');
    expect(conf).toContain('server 127.0.0.1:18011 max_fails=1');
    expect(conf).not.toContain('api:800');
  });

  it('fails nginx -t when broken', () => {
    const conf = loopback(
      readFileSync(NGINX_CONF_PATH, 'utf8').replace(
        'least_conn;',
        'least_conn',
      ),
    );

    const result = check(conf);

    expect(result.status).not.toBe(0);
    expect(result.output).toContain('test failed');
  });
});

describeWithTool('prometheus', PROMTOOL_PATH, 'prometheus.yml', () => {
  it('passes promtool check config', () => {
    const result = spawnSync(
      PROMTOOL_PATH,
      ['check', 'config', PROMETHEUS_CONFIG_PATH],
      { encoding: 'utf8', timeout: 10_000 },
    );

    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('scrapes every API replica', () => {
    const config = parseYaml(readFileSync(PROMETHEUS_CONFIG_PATH, 'utf8')) as {
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        dns_sd_configs?: unknown[];
      }[];
    };
    const job = config.scrape_configs.find(
      (entry) => entry.job_name === 'market-data-api',
    );

    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.dns_sd_configs).toEqual([
      { names: ['api'], type: 'A', port: 8000, refresh_interval: '15s' },
    ]);
  });
});
