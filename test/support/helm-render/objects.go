package main

import (
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/ghodss/yaml"
)

// builtinAPIVersions are the core group versions of Kubernetes 1.30, which
// stand in for the cluster that `helm template` does not contact.
var builtinAPIVersions = []string{
	"v1",
	"apps/v1",
	"batch/v1",
	"autoscaling/v1",
	"autoscaling/v2",
	"networking.k8s.io/v1",
	"policy/v1",
	"rbac.authorization.k8s.io/v1",
	"storage.k8s.io/v1",
	"coordination.k8s.io/v1",
	"discovery.k8s.io/v1",
	"admissionregistration.k8s.io/v1",
	"apiextensions.k8s.io/v1",
}

// kubeVersion is .Capabilities.KubeVersion.
type kubeVersion struct {
	Version    string
	Major      string
	Minor      string
	GitVersion string
}

func (v kubeVersion) String() string { return v.Version }

// versionSet is .Capabilities.APIVersions.
type versionSet []string

// Has reports whether the set contains the group version ("apps/v1").
// Helm also accepts the "apps/v1/Deployment" form, which this shim does not.
func (s versionSet) Has(version string) bool {
	for _, item := range s {
		if item == version {
			return true
		}
	}

	return false
}

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions versionSet
}

var kubeVersionPattern = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)$`)

func newCapabilities(version string, extra []string) (*capabilities, error) {
	parts := kubeVersionPattern.FindStringSubmatch(version)
	if parts == nil {
		return nil, fmt.Errorf("invalid -kube-version %q: expected a version such as v1.30.0", version)
	}
	normalized := fmt.Sprintf("v%s.%s.%s", parts[1], parts[2], parts[3])
	apiVersions := append(versionSet{}, builtinAPIVersions...)
	apiVersions = append(apiVersions, extra...)

	return &capabilities{
		KubeVersion: kubeVersion{Version: normalized, Major: parts[1], Minor: parts[2], GitVersion: normalized},
		APIVersions: apiVersions,
	}, nil
}

// files is .Files: every chart file outside templates/ except Chart.yaml
// and values.yaml, by its path relative to the chart folder.
type files map[string][]byte

// Get returns the file's content, or "" when the chart has no such file.
func (f files) Get(name string) string { return string(f[name]) }

func (f files) GetBytes(name string) []byte { return f[name] }

// Glob returns the files whose path matches pattern (path.Match syntax, so
// "*" does not cross "/" and "**" is not supported).
func (f files) Glob(pattern string) files {
	matched := files{}
	for name, content := range f {
		if ok, _ := path.Match(pattern, name); ok {
			matched[name] = content
		}
	}

	return matched
}

func (f files) Lines(name string) []string {
	content := f.Get(name)
	if content == "" {
		return []string{}
	}

	return strings.Split(content, "\n")
}

// AsConfig returns the files as the YAML body of a ConfigMap's data.
func (f files) AsConfig() string {
	data := map[string]string{}
	for _, name := range f.sortedNames() {
		data[path.Base(name)] = string(f[name])
	}

	return toYAML(data)
}

// AsSecrets returns the files, base64-encoded, as the YAML body of a
// Secret's data.
func (f files) AsSecrets() string {
	data := map[string]string{}
	for _, name := range f.sortedNames() {
		data[path.Base(name)] = base64.StdEncoding.EncodeToString(f[name])
	}
	encoded, err := yaml.Marshal(data)
	if err != nil {
		return ""
	}

	return strings.TrimSuffix(string(encoded), "\n")
}

func (f files) sortedNames() []string {
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Strings(names)

	return names
}
