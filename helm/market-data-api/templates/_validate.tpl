{{/*
Checks the values that the JSON schema cannot check alone and stops the
render with a message naming the value to set. deployment.yaml includes it,
so every install and upgrade runs it.
*/}}
{{- define "market-data-api.validate" -}}
{{- $config := .Values.config -}}

{{- range $name := splitList " " (include "market-data-api.secretSettings" .) -}}
{{- if hasKey $config $name -}}
{{- fail (printf "config.%s is a secret: set secrets.%s (or put it in existingSecret) so that it is stored in a Secret." $name $name) -}}
{{- end -}}
{{- end -}}
{{- if hasKey $config "API_PORT" -}}
{{- fail "config.API_PORT is set by the chart: set ports.http instead." -}}
{{- end -}}
{{- if hasKey $config "WS_PORT" -}}
{{- fail "config.WS_PORT is set by the chart: set ports.streaming instead." -}}
{{- end -}}
{{- if hasKey $config "REDIS_URL" -}}
{{- fail "config.REDIS_URL is set by the chart: set redis.url or redis.existingSecret instead." -}}
{{- end -}}
{{- if hasKey $config "API_KEYS_FILE" -}}
{{- fail "config.API_KEYS_FILE is set by the chart: use apiKeysFile instead." -}}
{{- end -}}
{{- if eq (int .Values.ports.http) (int .Values.ports.streaming) -}}
{{- fail (printf "ports.http and ports.streaming are both %d: give the streaming server a port of its own." (int .Values.ports.http)) -}}
{{- end -}}

{{- if and .Values.redis.url .Values.redis.existingSecret -}}
{{- fail "redis.url and redis.existingSecret are both set: keep one of them." -}}
{{- end -}}

{{- $hasSecret := or .Values.existingSecret .Values.secrets.JWT_SECRET -}}
{{- $hasKey := or $hasSecret .Values.secrets.JWT_PUBLIC_KEY .Values.config.JWT_JWKS_URL -}}
{{- if and (eq (toString (default "development" .Values.config.NODE_ENV)) "production") (not $hasKey) -}}
{{- fail "NODE_ENV=production requires authentication: set secrets.JWT_SECRET (32 bytes or more, e.g. from \"openssl rand -base64 48\"), secrets.JWT_PUBLIC_KEY, config.JWT_JWKS_URL, or existingSecret naming a Secret that holds JWT_SECRET or JWT_PUBLIC_KEY." -}}
{{- end -}}
{{- if and .Values.secrets.JWT_SECRET (lt (len .Values.secrets.JWT_SECRET) 32) -}}
{{- fail (printf "secrets.JWT_SECRET is too short (%d bytes): HS256 needs at least 32 bytes, so generate one with \"openssl rand -base64 48\"." (len .Values.secrets.JWT_SECRET)) -}}
{{- end -}}

{{- if .Values.apiKeysFile.enabled -}}
{{- if not (or .Values.apiKeysFile.existingSecret .Values.apiKeysFile.content) -}}
{{- fail "apiKeysFile.enabled is true, but apiKeysFile.content and apiKeysFile.existingSecret are both empty: give the file's YAML or the Secret that holds it." -}}
{{- end -}}
{{- if not $hasSecret -}}
{{- fail "apiKeysFile.enabled needs JWT_SECRET, which signs the tokens issued for API keys: set secrets.JWT_SECRET or existingSecret." -}}
{{- end -}}
{{- end -}}

{{- /* The service's defaults apply to a missing or null setting. `default`
would also replace a 0, which is a valid drain delay. */ -}}
{{- $drain := 5.0 -}}
{{- if not (kindIs "invalid" .Values.config.SHUTDOWN_DRAIN_DELAY) -}}
{{- $drain = float64 .Values.config.SHUTDOWN_DRAIN_DELAY -}}
{{- end -}}
{{- $deadline := 15.0 -}}
{{- if not (kindIs "invalid" .Values.config.REQUEST_DEADLINE) -}}
{{- $deadline = float64 .Values.config.REQUEST_DEADLINE -}}
{{- end -}}
{{- $needed := addf $drain $deadline 2 -}}
{{- if le (float64 .Values.terminationGracePeriodSeconds) $needed -}}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed SHUTDOWN_DRAIN_DELAY + REQUEST_DEADLINE + 2 = %v seconds, the time the service takes to drain and finish requests on SIGTERM." .Values.terminationGracePeriodSeconds $needed) -}}
{{- end -}}

{{- /* A budget that allows no eviction at the lowest replica count makes
every node drain wait forever. Kubernetes rounds both percentages up (its
task page "Specifying a Disruption Budget for your Application"). */ -}}
{{- $budget := .Values.podDisruptionBudget -}}
{{- if $budget.enabled -}}
{{- $replicas := int (ternary .Values.autoscaling.minReplicas .Values.replicaCount .Values.autoscaling.enabled) -}}
{{- $fix := "lower it, or raise replicaCount (autoscaling.minReplicas with autoscaling on)" -}}
{{- if not (kindIs "invalid" $budget.minAvailable) -}}
{{- $available := 0 -}}
{{- if kindIs "string" $budget.minAvailable -}}
{{- $available = int (ceil (divf (mulf $replicas (trimSuffix "%" $budget.minAvailable | float64)) 100)) -}}
{{- else -}}
{{- $available = int $budget.minAvailable -}}
{{- end -}}
{{- if ge $available $replicas -}}
{{- fail (printf "podDisruptionBudget.minAvailable (%v) leaves no pod to evict with %d replicas, so every node drain would wait forever: %s." $budget.minAvailable $replicas $fix) -}}
{{- end -}}
{{- else -}}
{{- $unavailable := 0 -}}
{{- if kindIs "string" $budget.maxUnavailable -}}
{{- $unavailable = int (ceil (divf (mulf $replicas (trimSuffix "%" $budget.maxUnavailable | float64)) 100)) -}}
{{- else -}}
{{- $unavailable = int $budget.maxUnavailable -}}
{{- end -}}
{{- if lt $unavailable 1 -}}
{{- fail (printf "podDisruptionBudget.maxUnavailable (%v) lets no pod be evicted with %d replicas, so every node drain would wait forever: raise it to 1 or more." $budget.maxUnavailable $replicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- if .Values.autoscaling.enabled -}}
{{- if not (and .Values.resources.requests.cpu .Values.resources.requests.memory) -}}
{{- fail "autoscaling.enabled needs resources.requests.cpu and resources.requests.memory: the HPA's utilization targets are percentages of them." -}}
{{- end -}}
{{- if gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas) -}}
{{- fail (printf "autoscaling.minReplicas (%d) exceeds autoscaling.maxReplicas (%d)." (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
