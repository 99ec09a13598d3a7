package db

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"gorm.io/gorm/logger"
)

// slowSQLMax is how much of a slow statement's SQL is logged: enough to recognise it, never the
// 37 KB of a bulk statement.
const slowSQLMax = 500

// slowQueryLogger is GORM's logger: a warning for a statement slower than its threshold, at most one a
// second (with the count of those left out), with the statement's SQL truncated and without its
// parameters (they may be personal data). Statement errors are returned to the caller, which logs
// them once at the edge if they matter; here they go to debug (a unique violation that the caller
// retries and overcomes is not an error).
type slowQueryLogger struct {
	log        *slog.Logger
	threshold  time.Duration
	every      time.Duration
	last       atomic.Int64 // unix nanoseconds of the last warning
	suppressed atomic.Int64
}

func newSlowQueryLogger(l *slog.Logger, threshold time.Duration) *slowQueryLogger {
	return &slowQueryLogger{log: l, threshold: threshold, every: time.Second}
}

// LogMode implements logger.Interface; the level is fixed.
func (l *slowQueryLogger) LogMode(logger.LogLevel) logger.Interface { return l }

// Info implements logger.Interface.
func (l *slowQueryLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.DebugContext(ctx, msg, slog.Any("data", args))
}

// Warn implements logger.Interface.
func (l *slowQueryLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, msg, slog.Any("data", args))
}

// Error implements logger.Interface.
func (l *slowQueryLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, msg, slog.Any("data", args))
}

// ParamsFilter implements gorm's logger.ParamsFilter: the logged SQL keeps its placeholders.
func (l *slowQueryLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// Trace implements logger.Interface.
func (l *slowQueryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	took := time.Since(begin)
	if err != nil {
		if l.log.Enabled(ctx, slog.LevelDebug) {
			sql, _ := fc()
			l.log.DebugContext(ctx, "statement failed", slog.String("error", err.Error()), slog.String("sql", truncateSQL(sql)))
		}
		return
	}
	if took < l.threshold {
		return
	}
	now := time.Now().UnixNano()
	last := l.last.Load()
	if now-last < int64(l.every) || !l.last.CompareAndSwap(last, now) {
		l.suppressed.Add(1)
		return
	}
	sql, rows := fc()
	l.log.WarnContext(ctx, "slow query", slog.String("took", took.Round(time.Millisecond).String()),
		slog.Int64("rows", rows), slog.String("sql", truncateSQL(sql)), slog.Int64("slow_queries_not_logged", l.suppressed.Swap(0)))
}

func truncateSQL(sql string) string {
	if len(sql) <= slowSQLMax {
		return sql
	}
	cut := slowSQLMax
	for cut > 0 && sql[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return sql[:cut] + "… (" + strconv.Itoa(len(sql)) + " bytes)"
}
