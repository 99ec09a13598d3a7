// Package pgcluster runs a private PostgreSQL cluster from the machine's PostgreSQL server binaries:
// the embedded default behind `crs dev` and the test harness. It finds the binaries, initialises a data
// directory on first use, starts the server on a free loopback port and stops it again. PostgreSQL
// refuses to run as root, so when the process is root every server command runs through
// `runuser -u postgres`.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is one private PostgreSQL cluster living under Dir.
type Cluster struct {
	// Dir holds data/, postgres.log and the port file. Keep it short.
	Dir string
	// BinDir holds initdb, pg_ctl and postgres; FindBinDir fills it when empty.
	BinDir string
	// Test applies settings that trade durability for speed (fsync off). Never for real data.
	Test bool
	// Port is the port the server listens on once started.
	Port int
}

// ErrNoBinaries is returned when no PostgreSQL server binaries can be found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin; install them (Debian: apt-get install -y postgresql)")

// FindBinDir looks for initdb on PATH, then in the newest /usr/lib/postgresql/<major>/bin.
func FindBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return majorOf(matches[i]) > majorOf(matches[j]) })
	for _, m := range matches {
		dir := filepath.Dir(m)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

func majorOf(path string) int {
	parts := strings.Split(path, string(filepath.Separator))
	for i, p := range parts {
		if p == "postgresql" && i+1 < len(parts) {
			n, _ := strconv.Atoi(parts[i+1])
			return n
		}
	}
	return 0
}

func (c *Cluster) dataDir() string  { return filepath.Join(c.Dir, "data") }
func (c *Cluster) logFile() string  { return filepath.Join(c.Dir, "postgres.log") }
func (c *Cluster) portFile() string { return filepath.Join(c.Dir, "port") }

// Initialised reports whether the data directory already holds a cluster.
func (c *Cluster) Initialised() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION"))
	return err == nil
}

// Init creates the data directory and runs initdb when the cluster does not exist yet.
func (c *Cluster) Init(ctx context.Context) error {
	if err := c.resolveBinDir(); err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("create cluster directory: %w", err)
	}
	if err := c.chownForServer(); err != nil {
		return err
	}
	if c.Initialised() {
		return nil
	}
	args := []string{"-D", c.dataDir(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"}
	if out, err := c.server(ctx, "initdb", args...); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}

// Running reports whether the cluster's server is up, and reads its port.
func (c *Cluster) Running(ctx context.Context) bool {
	if !c.Initialised() {
		return false
	}
	if err := c.resolveBinDir(); err != nil {
		return false
	}
	if _, err := c.server(ctx, "pg_ctl", "-D", c.dataDir(), "status"); err != nil {
		return false
	}
	b, err := os.ReadFile(c.portFile())
	if err != nil {
		return false
	}
	port, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return false
	}
	c.Port = port
	return true
}

// Start starts the server on a free loopback port, the one it had before when that is still free
// (initialising the cluster first if needed). A server left running by an earlier process that died
// is stopped first, so the cluster always starts clean.
func (c *Cluster) Start(ctx context.Context) error {
	var err error
	if err = c.Init(ctx); err != nil {
		return err
	}
	if _, err := c.server(ctx, "pg_ctl", "-D", c.dataDir(), "status"); err == nil {
		if err := c.Stop(ctx); err != nil {
			return fmt.Errorf("stop a server left running: %w", err)
		}
	}
	port := c.Port
	if port == 0 || !portFree(port) {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	opts := []string{
		"-p " + strconv.Itoa(port),
		"-c listen_addresses=127.0.0.1",
		"-c unix_socket_directories=''",
		"-c max_connections=300",
	}
	if c.Test {
		opts = append(opts, "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c shared_buffers=256MB")
	}
	out, err := c.server(ctx, "pg_ctl", "-D", c.dataDir(), "-l", c.logFile(), "-w", "-t", "60", "start", "-o", strings.Join(opts, " "))
	if err != nil {
		tail, _ := os.ReadFile(c.logFile())
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return fmt.Errorf("pg_ctl start: %w: %s\n%s", err, out, tail)
	}
	c.Port = port
	if err := os.WriteFile(c.portFile(), []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		return fmt.Errorf("write port file: %w", err)
	}
	return nil
}

// Stop stops the server (fast shutdown: connections are closed, transactions rolled back).
func (c *Cluster) Stop(ctx context.Context) error {
	if err := c.resolveBinDir(); err != nil {
		return err
	}
	if !c.Initialised() {
		return nil
	}
	if out, err := c.server(ctx, "pg_ctl", "-D", c.dataDir(), "-w", "-t", "60", "-m", "fast", "stop"); err != nil {
		if _, serr := c.server(ctx, "pg_ctl", "-D", c.dataDir(), "status"); serr != nil {
			return nil //nolint:nilerr // stop failed because the server is not running: nothing to stop
		}
		return fmt.Errorf("pg_ctl stop: %w: %s", err, out)
	}
	_ = os.Remove(c.portFile())
	return nil
}

// URL returns the connection URL of a database on the running cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, database)
}

// EnsureDatabase creates the database when it does not exist.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to cluster: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// EnsureRunning starts the cluster unless it is already running, holding a lock on the directory so
// that concurrent callers (several test binaries) start it once.
func (c *Cluster) EnsureRunning(ctx context.Context) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return fmt.Errorf("create cluster directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(c.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("open cluster lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock cluster directory: %w", err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()
	if c.Running(ctx) {
		return nil
	}
	return c.Start(ctx)
}

// Remove deletes the cluster directory; the server must be stopped.
func (c *Cluster) Remove() error {
	return os.RemoveAll(c.Dir)
}

func (c *Cluster) resolveBinDir() error {
	if c.BinDir != "" {
		return nil
	}
	dir, err := FindBinDir()
	if err != nil {
		return err
	}
	c.BinDir = dir
	return nil
}

// server runs a PostgreSQL server binary, as the postgres user when this process is root.
func (c *Cluster) server(ctx context.Context, name string, args ...string) (string, error) {
	bin := filepath.Join(c.BinDir, name)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, bin, args...)
	}
	cmd.Dir = c.Dir
	// The server must outlive a Ctrl-C sent to this process's group: crs stops it itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// chownForServer hands the cluster directory to the postgres user when running as root.
func (c *Cluster) chownForServer() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs a postgres user to own the cluster (Debian's postgresql package creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// Only the directory itself: initdb, as postgres, creates everything inside it.
	if err := os.Lchown(c.Dir, uid, gid); err != nil {
		return fmt.Errorf("hand %s to the postgres user: %w", c.Dir, err)
	}
	return nil
}

// portFree reports whether port can be listened on (a cluster started again keeps its port when it can).
func portFree(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitReady waits until the server accepts connections or the timeout passes.
func (c *Cluster) WaitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			return conn.Close(ctx)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster not ready after %s: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
