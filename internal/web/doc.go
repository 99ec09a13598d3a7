// Package web is the platform's server-rendered HTML layer: the page layout (header, primary
// navigation, footer), the GOV.UK and MoJ Frontend components as shared template partials, form
// handling (field errors mapped from the services' apperr codes to plain-English messages in one
// table, values kept, POST-redirect-GET, flash messages, CSRF on every form), HTML error pages for
// browser requests, the accessibility statement, cookies and API reference pages, and the vendored
// front-end assets served under fingerprinted names.
//
// Domains add their own pages: each keeps its page handlers in pages*.go and its templates in its
// own templates/ folder, parses them once at start-up with Platform.MustParse, and registers nav
// items and home panels with the Platform so that this package never imports a domain. README.md
// beside this file shows how.
package web
