package main

import (
	"context"
	"encoding/json"
	"io"
)

// cmdOpenAPI prints the OpenAPI document the server serves at /openapi.json, for linters and
// client generators. It wires the platform as serve does, so it needs a migrated database.
func cmdOpenAPI(ctx context.Context, e env, args []string) error {
	fs := newFlags("openapi", e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, cfg, newLogger(cfg, "json", io.Discard), appOpts{})
	if err != nil {
		return err
	}
	defer a.close()
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(a.server.Doc)
}
