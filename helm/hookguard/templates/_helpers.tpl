{{/*
Helpers for names, labels and images only. Everything else is written out in the template that
renders it, so each file reads on its own.
*/}}

{{- define "hookguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "<release>-<chart>", or the release name alone when it already contains the chart name. */}}
{{- define "hookguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Component names; each is cut so that suffixes the API server adds still fit. */}}
{{- define "hookguard.injector.fullname" -}}
{{- printf "%s-injector" (include "hookguard.fullname" .) | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "hookguard.injector.serviceAccountName" -}}
{{- default (include "hookguard.injector.fullname" .) .Values.injector.serviceAccount.name }}
{{- end }}

{{- define "hookguard.injector.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "hookguard.injector.fullname" .)) .Values.tls.existingSecret }}
{{- end }}

{{/* Cluster-scoped, so it carries the release namespace: two releases never share it. */}}
{{- define "hookguard.webhook.name" -}}
{{- printf "%s-%s" (include "hookguard.injector.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hookguard.redis.fullname" -}}
{{- printf "%s-redis" (include "hookguard.fullname" .) | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "hookguard.redis.secretName" -}}
{{- default (include "hookguard.redis.fullname" .) .Values.redis.auth.existingSecret }}
{{- end }}

{{- define "hookguard.certgen.fullname" -}}
{{- printf "%s-certgen" (include "hookguard.fullname" .) | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/* Cluster-scoped RBAC names carry the release namespace too. */}}
{{- define "hookguard.certgen.clusterName" -}}
{{- printf "%s-%s" (include "hookguard.certgen.fullname" .) .Release.Namespace | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object. Call with (dict "context" $ "component" "injector").
*/}}
{{- define "hookguard.labels" -}}
helm.sh/chart: {{ include "hookguard.chart" .context }}
{{ include "hookguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .context.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
app.kubernetes.io/part-of: hookguard
{{- with .context.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels: stable for the life of a release, so selectors never change on upgrade. */}}
{{- define "hookguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookguard.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Label on every pod this chart runs; the webhook's objectSelector skips pods that carry it, so the
chart's own pods are never sent to the injector.
*/}}
{{- define "hookguard.systemPodLabel" -}}
hookguard.io/system: "true"
{{- end }}

{{/* An image reference from {repository, tag, digest}: the digest wins, the tag defaults. */}}
{{- define "hookguard.imageRef" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (default .defaultTag .image.tag) }}
{{- end }}
{{- end }}

{{- define "hookguard.image" -}}
{{- include "hookguard.imageRef" (dict "image" .Values.image "defaultTag" .Chart.AppVersion) }}
{{- end }}

{{- define "hookguard.sidecar.image" -}}
{{- default (include "hookguard.image" .) .Values.sidecar.image }}
{{- end }}

{{- define "hookguard.redis.image" -}}
{{- include "hookguard.imageRef" (dict "image" .Values.redis.image "defaultTag" "") }}
{{- end }}
