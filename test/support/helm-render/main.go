// Command helm-render renders a Helm chart the way `helm template` does, for
// tests on machines without the helm binary. It uses Go's text/template, the
// sprig v3 functions and a shim of the functions and objects Helm 3 adds.
//
// Usage:
//
//	helm-render [-f values.yaml]... [-set path=value]... [-values] [-notes] CHART_DIR
//
// Values are merged as Helm merges them: the chart's values.yaml, then each
// -f file in order, then each -set. Maps merge key by key, any other value
// replaces the earlier one, and null deletes the key. Numbers from YAML are
// float64, as in Helm, so 1048576 prints as 1.048576e+06 unless a template
// converts it. Integers from -set are int64, as from Helm's --set.
// With -values the program prints the merged values as JSON and renders
// nothing, so a caller can check them against values.schema.json. With -notes
// it prints the rendered templates/NOTES.txt instead of the manifests.
//
// Limits of the shim, compared with Helm 3:
//   - values.schema.json is not checked here, because no Go JSON Schema
//     library is installed. The caller checks the -values output.
//   - -set takes dotted map paths only (no list indexes, no escaped dots).
//     The value "null" deletes the key, "true" and "false" become booleans,
//     integers become int64, and anything else is a string.
//   - Dependencies (charts/ and Chart.yaml dependencies) and .helmignore are
//     not read.
//   - Manifests are printed in file name order, not in Helm's kind order, and
//     each file gets one "# Source:" comment even if it holds several
//     documents.
//   - lookup always returns an empty map, as under `helm template`.
//   - .Capabilities.APIVersions contains the core group versions plus each
//     -api-versions flag, and Has takes no "group/version/Kind" form.
//     KubeVersion comes from -kube-version, and HelmVersion is missing.
//   - .Files supports Get, GetBytes, Glob, Lines, AsConfig and AsSecrets.
//   - toToml, fromJsonArray, fromYamlArray and the must* variants of Helm's
//     own functions are missing.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/ghodss/yaml"
)

// maxIncludeDepth bounds recursive include calls, as Helm does.
const maxIncludeDepth = 1000

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(value string) error {
	*l = append(*l, value)
	return nil
}

type options struct {
	chartDir    string
	valueFiles  listFlag
	setValues   listFlag
	apiVersions listFlag
	releaseName string
	namespace   string
	kubeVersion string
	printValues bool
	printNotes  bool
}

func main() {
	opts := parseOptions()
	if err := run(opts, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
}

func parseOptions() options {
	var opts options
	flag.Var(&opts.valueFiles, "f", "values file merged over values.yaml (repeatable)")
	flag.Var(&opts.setValues, "set", "value override as dotted.path=value (repeatable)")
	flag.Var(&opts.apiVersions, "api-versions", "extra group/version for .Capabilities.APIVersions (repeatable)")
	flag.StringVar(&opts.releaseName, "name", "release-name", "release name")
	flag.StringVar(&opts.namespace, "namespace", "default", "release namespace")
	flag.StringVar(&opts.kubeVersion, "kube-version", "v1.30.0", "Kubernetes version for .Capabilities.KubeVersion")
	flag.BoolVar(&opts.printValues, "values", false, "print the merged values as JSON instead of rendering")
	flag.BoolVar(&opts.printNotes, "notes", false, "print the rendered NOTES.txt instead of the manifests")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "Usage: helm-render [flags] CHART_DIR")
		flag.PrintDefaults()
		os.Exit(2)
	}
	opts.chartDir = flag.Arg(0)

	return opts
}

func run(opts options, out *os.File) error {
	chart, err := loadChart(opts.chartDir)
	if err != nil {
		return err
	}
	values, err := mergeValues(chart, opts)
	if err != nil {
		return err
	}
	if opts.printValues {
		encoded, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, string(encoded))
		return err
	}

	capabilities, err := newCapabilities(opts.kubeVersion, opts.apiVersions)
	if err != nil {
		return err
	}
	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name":      opts.releaseName,
			"Namespace": opts.namespace,
			"Service":   "Helm",
			"IsInstall": true,
			"IsUpgrade": false,
			"Revision":  1,
		},
		"Chart":        chart.metadata,
		"Capabilities": capabilities,
		"Files":        chart.files,
	}
	rendered, err := renderTemplates(chart, top)
	if err != nil {
		return err
	}

	return printRendered(out, chart, rendered, opts.printNotes)
}

func printRendered(out *os.File, chart *chart, rendered map[string]string, notes bool) error {
	notesName := path.Join(chart.metadata.Name, "templates", "NOTES.txt")
	if notes {
		_, err := fmt.Fprint(out, rendered[notesName])
		return err
	}
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		content := rendered[name]
		if name == notesName || strings.TrimSpace(content) == "" {
			continue
		}
		if _, err := fmt.Fprintf(out, "---\n# Source: %s\n%s\n", name, strings.TrimRight(content, "\n")); err != nil {
			return err
		}
	}

	return nil
}

// metadata is Chart.yaml with the field names Helm gives .Chart.
type metadata struct {
	APIVersion   string                   `json:"apiVersion"`
	Name         string                   `json:"name"`
	Version      string                   `json:"version"`
	AppVersion   string                   `json:"appVersion"`
	KubeVersion  string                   `json:"kubeVersion"`
	Description  string                   `json:"description"`
	Type         string                   `json:"type"`
	Home         string                   `json:"home"`
	Icon         string                   `json:"icon"`
	Sources      []string                 `json:"sources"`
	Keywords     []string                 `json:"keywords"`
	Maintainers  []map[string]interface{} `json:"maintainers"`
	Annotations  map[string]string        `json:"annotations"`
	Dependencies []map[string]interface{} `json:"dependencies"`
	Deprecated   bool                     `json:"deprecated"`
}

type chart struct {
	metadata  *metadata
	values    map[string]interface{}
	templates map[string]string
	files     files
}

func loadChart(dir string) (*chart, error) {
	raw, err := ioutil.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("reading Chart.yaml failed: %w", err)
	}
	meta := &metadata{}
	if err := yaml.Unmarshal(raw, meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml is not valid YAML: %w", err)
	}
	if meta.Name == "" {
		return nil, errors.New("Chart.yaml has no name")
	}
	values, err := readValuesFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return nil, err
	}

	c := &chart{metadata: meta, values: values, templates: map[string]string{}, files: files{}}
	err = filepath.Walk(dir, func(file string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, file)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		content, err := ioutil.ReadFile(file)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			c.templates[path.Join(meta.Name, rel)] = string(content)
		case rel != "Chart.yaml" && rel != "values.yaml":
			c.files[rel] = content
		}
		return nil
	})

	return c, err
}

func readValuesFile(file string) (map[string]interface{}, error) {
	raw, err := ioutil.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading values failed: %w", err)
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("%s is not valid YAML: %w", file, err)
	}

	return values, nil
}

func mergeValues(c *chart, opts options) (map[string]interface{}, error) {
	values := deepCopy(c.values).(map[string]interface{})
	for _, file := range opts.valueFiles {
		override, err := readValuesFile(file)
		if err != nil {
			return nil, err
		}
		mergeInto(values, override)
	}
	for _, assignment := range opts.setValues {
		override, err := parseSet(assignment)
		if err != nil {
			return nil, err
		}
		mergeInto(values, override)
	}

	return values, nil
}

// mergeInto merges src over dst: maps merge recursively, null deletes the
// key, and any other value replaces what dst had.
func mergeInto(dst, src map[string]interface{}) {
	for key, value := range src {
		if value == nil {
			delete(dst, key)
			continue
		}
		srcMap, srcIsMap := value.(map[string]interface{})
		dstMap, dstIsMap := dst[key].(map[string]interface{})
		if srcIsMap && dstIsMap {
			mergeInto(dstMap, srcMap)
			continue
		}
		dst[key] = deepCopy(value)
	}
}

func deepCopy(value interface{}) interface{} {
	switch typed := value.(type) {
	case map[string]interface{}:
		copied := make(map[string]interface{}, len(typed))
		for key, item := range typed {
			copied[key] = deepCopy(item)
		}
		return copied
	case []interface{}:
		copied := make([]interface{}, len(typed))
		for i, item := range typed {
			copied[i] = deepCopy(item)
		}
		return copied
	default:
		return value
	}
}

// parseSet turns "a.b.c=value" into {a: {b: {c: value}}}.
func parseSet(assignment string) (map[string]interface{}, error) {
	separator := strings.Index(assignment, "=")
	if separator <= 0 {
		return nil, fmt.Errorf("invalid -set %q: expected dotted.path=value", assignment)
	}
	keys := strings.Split(assignment[:separator], ".")
	for _, key := range keys {
		if key == "" {
			return nil, fmt.Errorf("invalid -set %q: empty key in the path", assignment)
		}
	}
	var value interface{} = parseScalar(assignment[separator+1:])
	for i := len(keys) - 1; i >= 0; i-- {
		value = map[string]interface{}{keys[i]: value}
	}

	return value.(map[string]interface{}), nil
}

func parseScalar(text string) interface{} {
	switch text {
	case "null":
		return nil
	case "true":
		return true
	case "false":
		return false
	}
	if number, err := strconv.ParseInt(text, 10, 64); err == nil {
		return number
	}

	return text
}

func renderTemplates(c *chart, top map[string]interface{}) (map[string]string, error) {
	root := template.New("gotpl")
	// Helm renders a missing key as empty, then strips "<no value>" below.
	root.Option("missingkey=zero")
	root.Funcs(helmFuncs(root))

	names := make([]string, 0, len(c.templates))
	for name := range c.templates {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, err := root.New(name).Parse(c.templates[name]); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", name, err)
		}
	}

	rendered := map[string]string{}
	basePath := path.Join(c.metadata.Name, "templates")
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		data := withTemplate(top, name, basePath)
		var buffer bytes.Buffer
		if err := root.ExecuteTemplate(&buffer, name, data); err != nil {
			return nil, cleanExecError(name, err)
		}
		rendered[name] = strings.ReplaceAll(buffer.String(), "<no value>", "")
	}

	return rendered, nil
}

var (
	callPattern     = regexp.MustCompile(`error calling (?:fail|required): `)
	locationPattern = regexp.MustCompile(`template: ([^:\s]+:\d+:\d+): executing`)
)

// cleanExecError shortens the error of a fail or required call to its
// message and innermost location, as Helm prints it. Other errors are
// returned whole.
func cleanExecError(name string, err error) error {
	text := err.Error()
	calls := callPattern.FindAllStringIndex(text, -1)
	if calls == nil {
		return fmt.Errorf("rendering %s failed: %w", name, err)
	}
	message := text[calls[len(calls)-1][1]:]
	location := name
	if found := locationPattern.FindAllStringSubmatch(text, -1); found != nil {
		location = found[len(found)-1][1]
	}

	return fmt.Errorf("execution error at (%s): %s", location, message)
}

func withTemplate(top map[string]interface{}, name, basePath string) map[string]interface{} {
	data := make(map[string]interface{}, len(top)+1)
	for key, value := range top {
		data[key] = value
	}
	data["Template"] = map[string]interface{}{"Name": name, "BasePath": basePath}

	return data
}
