// Package migrations embeds the platform's numbered SQL migrations (goose format). They are applied by
// internal/db.MigrateAll, followed by River's own schema at a pinned version.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
