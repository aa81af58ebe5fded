{{/*
Name of the chart's objects without the release: nameOverride or the chart
name, cut to the 63 characters a label value may have.
*/}}
{{- define "market-data-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name of the release's objects: fullnameOverride, or the release name
followed by the chart name unless the release name already contains it.
*/}}
{{- define "market-data-api.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "market-data-api.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Chart name and version, as the helm.sh/chart label. */}}
{{- define "market-data-api.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the release's pods, which must not change on upgrade. */}}
{{- define "market-data-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "market-data-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels every object of the release carries. */}}
{{- define "market-data-api.labels" -}}
helm.sh/chart: {{ include "market-data-api.chart" . }}
{{ include "market-data-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Name of the pods' service account. */}}
{{- define "market-data-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "market-data-api.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Secret the pods read JWT material and provider keys from. */}}
{{- define "market-data-api.secretName" -}}
{{- default (include "market-data-api.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Secret that holds the API keys file. */}}
{{- define "market-data-api.apiKeysSecretName" -}}
{{- default (printf "%s-api-keys" (include "market-data-api.fullname" .)) .Values.apiKeysFile.existingSecret -}}
{{- end -}}

{{/* Path of the API keys file inside the container. */}}
{{- define "market-data-api.apiKeysPath" -}}
{{- printf "%s/%s" (trimSuffix "/" .Values.apiKeysFile.mountDir) .Values.apiKeysFile.secretKey -}}
{{- end -}}

{{/*
Image reference: repository with the digest when one is set, else with the
tag, which defaults to the chart's appVersion.
*/}}
{{- define "market-data-api.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/*
Formats one value as an environment variable's text. Helm reads every YAML
number as a float64, which prints 1048576 as 1.048576e+06, so whole numbers
are printed as integers. Lists are joined with commas, as the service's list
settings expect.
*/}}
{{- define "market-data-api.envValue" -}}
{{- if kindIs "float64" . -}}
{{- if eq . (floor .) -}}{{ int64 . }}{{- else -}}{{ . }}{{- end -}}
{{- else if kindIs "slice" . -}}
{{- $items := list -}}
{{- range . -}}{{- $items = append $items (include "market-data-api.envValue" .) -}}{{- end -}}
{{- join "," $items -}}
{{- else -}}
{{- . -}}
{{- end -}}
{{- end -}}

{{/* Names of the settings that hold secrets and so belong under `secrets`. */}}
{{- define "market-data-api.secretSettings" -}}
JWT_SECRET JWT_PUBLIC_KEY POLYGON_KEY ALPACA_KEY_ID ALPACA_SECRET_KEY FINNHUB_KEY ALPHA_VANTAGE_KEY QUANDL_KEY
{{- end -}}
