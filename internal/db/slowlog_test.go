package db

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestSlowQueryLoggerTruncatesAndRateLimits(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := newSlowQueryLogger(slog.New(slog.NewTextHandler(&buf, nil)), 10*time.Millisecond)
	long := "INSERT INTO referrals VALUES " + strings.Repeat("($1, $2), ", 4000)
	begin := time.Now().Add(-time.Second)
	for range 5 {
		l.Trace(context.Background(), begin, func() (string, int64) { return long, 4000 }, nil)
	}
	out := buf.String()
	if n := strings.Count(out, "slow query"); n != 1 {
		t.Fatalf("%d slow-query lines for 5 slow statements within a second, want 1:\n%s", n, out)
	}
	if len(out) > 1000 || !strings.Contains(out, "took=1s") || !strings.Contains(out, "bytes)") {
		t.Fatalf("slow-query line not truncated or without a readable duration (%d bytes):\n%s", len(out), out)
	}
	buf.Reset()
	l.Trace(context.Background(), time.Now(), func() (string, int64) { return "SELECT 1", 1 }, nil)
	l.Trace(context.Background(), begin, func() (string, int64) { return "SELECT 1", 1 }, context.Canceled)
	if buf.Len() != 0 {
		t.Fatalf("a fast statement or a failed one logged at info or above: %s", buf.String())
	}
}
