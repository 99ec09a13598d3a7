// Command crs is the CRS platform's one binary: the HTTP API and pages, the River workers, migrations,
// the demo dataset and the embedded development default (`crs dev`). It is the only composition root.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/crsplatform/crs/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

const usage = `crs: the Commissioned Rehabilitative Services platform

Usage:
  crs dev [--data-dir DIR] [--reset]   run everything on a private PostgreSQL cluster (the embedded default)
  crs serve [--with-workers]           serve HTTP on CRS_ADDR against DATABASE_URL
  crs worker                           work background jobs against DATABASE_URL
  crs migrate up|down [--all]|status   manage the database schema
  crs seed demo [--scale S]            load the demo dataset into an empty database (S: share of the referrals)
  crs users create --email E --name N --role R [--supplier-id ID] [--regions A,B]
                                       create a user; the password is read from standard input
  crs openapi                          print the OpenAPI document (as /openapi.json serves it) against DATABASE_URL
  crs version                          print the version

Configuration comes from the environment; see README.md for the variables.
`

// env bundles the process's environment for the subcommands.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "dev":
		err = cmdDev(ctx, e, args[1:])
	case "serve":
		err = cmdServe(ctx, e, args[1:])
	case "worker":
		err = cmdWorker(ctx, e, args[1:])
	case "migrate":
		err = cmdMigrate(ctx, e, args[1:])
	case "seed":
		err = cmdSeed(ctx, e, args[1:])
	case "users":
		err = cmdUsers(ctx, e, args[1:])
	case "cluster":
		err = cmdCluster(ctx, e, args[1:])
	case "openapi":
		err = cmdOpenAPI(ctx, e, args[1:])
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "crs %s\n", version)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "crs: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "crs: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "crs: %v\n", err)
	return 1
}

// loadConfig reads and validates the configuration.
func loadConfig(e env) (config.Config, error) {
	return config.Load(e.getenv)
}

// newLogger builds the process logger from the configuration; format is the command's default when
// CRS_LOG_FORMAT is not set (text for `crs dev`, json for the others).
func newLogger(cfg config.Config, format string, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cfg.LogLevel)))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormatOr(format) == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
