package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// helmFuncs returns sprig's text functions without env and expandenv, which
// Helm removes, plus Helm's own functions. include and tpl execute
// templates of root.
func helmFuncs(root *template.Template) template.FuncMap {
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")

	includeDepth := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includeDepth[name] >= maxIncludeDepth {
			return "", fmt.Errorf("include of %q exceeded the maximum depth of %d", name, maxIncludeDepth)
		}
		includeDepth[name]++
		defer func() { includeDepth[name]-- }()
		var builder strings.Builder
		err := root.ExecuteTemplate(&builder, name, data)
		return builder.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		return executeText(root, text, data)
	}
	funcs["required"] = required
	funcs["fail"] = func(message string) (string, error) { return "", errors.New(message) }
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	funcs["fromJson"] = fromJSON

	return funcs
}

// executeText runs text as a template that can include every template of
// root, the way Helm's tpl does.
func executeText(root *template.Template, text string, data interface{}) (string, error) {
	clone, err := root.Clone()
	if err != nil {
		return "", err
	}
	name := "tpl"
	if values, ok := data.(map[string]interface{}); ok {
		if tmpl, ok := values["Template"].(map[string]interface{}); ok {
			if templateName, ok := tmpl["Name"].(string); ok {
				name = templateName
			}
		}
	}
	parsed, err := clone.New(name).Parse(text)
	if err != nil {
		return "", fmt.Errorf("tpl could not parse its text: %w", err)
	}
	var builder strings.Builder
	if err := parsed.Execute(&builder, data); err != nil {
		return "", err
	}

	return strings.ReplaceAll(builder.String(), "<no value>", ""), nil
}

// required fails with message when value is nil or an empty string.
func required(message string, value interface{}) (interface{}, error) {
	if value == nil {
		return nil, errors.New(message)
	}
	if text, ok := value.(string); ok && text == "" {
		return nil, errors.New(message)
	}

	return value, nil
}

// toYAML returns value as YAML without the final newline, or "" when it
// cannot be encoded, as Helm's toYaml does.
func toYAML(value interface{}) string {
	encoded, err := yaml.Marshal(value)
	if err != nil {
		return ""
	}

	return strings.TrimSuffix(string(encoded), "\n")
}

// fromYAML decodes a YAML map. As in Helm, a decoding error is returned
// under the "Error" key instead of failing the template.
func fromYAML(text string) map[string]interface{} {
	decoded := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(text), &decoded); err != nil {
		decoded["Error"] = err.Error()
	}

	return decoded
}

func toJSON(value interface{}) string {
	encoded, err := json.Marshal(value)
	if err != nil {
		return ""
	}

	return string(encoded)
}

func fromJSON(text string) map[string]interface{} {
	decoded := map[string]interface{}{}
	if err := json.Unmarshal([]byte(text), &decoded); err != nil {
		decoded["Error"] = err.Error()
	}

	return decoded
}
