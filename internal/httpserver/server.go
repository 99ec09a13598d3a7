// Package httpserver is the platform's HTTP layer on Echo v4: middleware (request ids, JSON access
// logs, panic recovery, body limit, secure headers, metrics), authentication by bearer token or
// session cookie with CSRF protection, one error handler rendering application/problem+json, strict
// JSON binding, ETag/If-Match and Idempotency-Key handling, and a Router that registers /api/v1 routes
// and documents each in the served OpenAPI document. Echo stays inside this package and the domain
// packages' handler.go and routes.go files.
package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/idempotency"
	"github.com/crsplatform/crs/internal/openapi"
)

// AdminJobsPrefix is where the River admin UI is mounted.
const AdminJobsPrefix = "/admin/jobs"

// Authenticator resolves a bearer or session token to its actor. It returns an unauthenticated
// apperr for a missing, bad, expired or revoked token.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (actor.Actor, error)
}

// Config configures the server.
type Config struct {
	Addr         string
	BodyLimit    string
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	// SecureCookies marks the session cookie Secure (config.Config.SecureCookie: on behind https).
	SecureCookies bool
	// TrustedProxies are the CIDR ranges of reverse proxies whose X-Forwarded-For is believed; empty
	// means the peer address is the client's.
	TrustedProxies  []string
	Version         string
	Logger          *slog.Logger
	Registry        *prometheus.Registry
	Auth            Authenticator
	Idempotency     *idempotency.Store
	ReadinessChecks func(ctx context.Context) error
}

// Server is the HTTP server with its Echo instance, API router and OpenAPI document.
type Server struct {
	Echo   *echo.Echo
	API    *Router
	Doc    *openapi.Document
	cfg    Config
	server *http.Server
	// base is every request's parent context; Shutdown cancels it when its deadline passes.
	base       context.Context
	cancelBase context.CancelFunc

	// HTMLErrors, when set, renders an error as an HTML page for a browser's page request (see
	// WantsHTML); it returns false to fall back to problem+json. The web platform sets it.
	HTMLErrors func(c echo.Context, err error, p Problem) bool
}

// New builds the server and its middleware; domains then register routes on API.
func New(cfg Config) *Server {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	e.Pre(middleware.RemoveTrailingSlashWithConfig(middleware.TrailingSlashConfig{
		// The River UI serves its single-page app under a trailing slash.
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, AdminJobsPrefix) },
	}))
	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			ctx := actor.WithClientAddr(actor.WithRequestID(c.Request().Context(), id), c.RealIP())
			c.SetRequest(c.Request().WithContext(ctx))
		},
	}))
	e.Use(accessLog(cfg.Logger))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			cfg.Logger.ErrorContext(c.Request().Context(), "panic", slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("error", err.Error()), slog.String("stack", string(stack)))
			return errors.New("panic recovered")
		},
	}))
	e.Use(middleware.BodyLimit(cfg.BodyLimit))
	e.Use(refuseHostileInput())
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "no-referrer",
		ContentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
		HSTSMaxAge:            31536000,
	}))
	if cfg.Registry != nil {
		e.Use(echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
			Namespace:  "crs",
			Subsystem:  "http",
			Registerer: cfg.Registry,
		}))
	}
	doc := openapi.New("CRS platform API", cfg.Version)
	s := &Server{Echo: e, Doc: doc, cfg: cfg}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	e.HTTPErrorHandler = errorHandler(cfg.Logger, s)
	s.API = &Router{e: e, doc: doc, srv: s}
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/openapi.json", func(c echo.Context) error { return c.JSON(http.StatusOK, doc) })
	return s
}

func (s *Server) readyz(c echo.Context) error {
	if s.cfg.ReadinessChecks != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
		defer cancel()
		if err := s.cfg.ReadinessChecks(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// Serve serves on the listener until Shutdown; it returns nil after a graceful shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.server = &http.Server{
		Handler:           s.Echo,
		ReadTimeout:       s.cfg.ReadTimeout,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return s.base },
	}
	if err := s.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests until ctx ends; then it
// cancels the requests still running (their database statements are cancelled with them), closes
// their connections and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.server == nil {
		s.cancelBase()
		return nil
	}
	err := s.server.Shutdown(ctx)
	if err != nil {
		s.cancelBase()
		_ = s.server.Close()
	}
	s.cancelBase()
	return err
}

// ipExtractor chooses how the client's address is found: the peer address when clients connect
// directly, or X-Forwarded-For read back to the first address that is not a trusted proxy. Sign-in
// throttling counts failures by it, so only trusted proxies may speak for the client.
func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, cidr := range trusted {
		if _, n, err := net.ParseCIDR(strings.TrimSpace(cidr)); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

func accessLog(logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // render now so the logged status is the one sent
			}
			status := c.Response().Status
			attrs := []slog.Attr{
				slog.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
				slog.String("method", c.Request().Method),
				slog.String("path", c.Request().URL.Path),
				slog.String("route", c.Path()),
				slog.Int("status", status),
				slog.Int64("bytes", c.Response().Size),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.String("remote_ip", c.RealIP()),
			}
			if a, ok := Actor(c); ok {
				attrs = append(attrs, slog.String("user_id", a.UserID.String()))
			}
			logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "http_request", attrs...)
			return nil
		}
	}
}
