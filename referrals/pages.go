package referrals

import (
	"embed"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/crsplatform/crs/contracts"
	"github.com/crsplatform/crs/internal/actor"
	"github.com/crsplatform/crs/internal/calendar"
	"github.com/crsplatform/crs/internal/httpserver"
	"github.com/crsplatform/crs/internal/web"
)

//go:embed templates/*.html
var pageFS embed.FS

// Pages are the referrals' web pages.
type Pages struct {
	svc       *Service
	catalogue *contracts.Service
	w         *web.Platform
	t         *web.Templates
}

// RegisterPages mounts the practitioner's referral pages: starting a referral from a service's page
// (/services/:id/start asks for the person's CRN, then creates the draft and opens its task list at
// /referrals/:id/draft).
func RegisterPages(w *web.Platform, svc *Service, catalogue *contracts.Service) {
	p := &Pages{svc: svc, catalogue: catalogue, w: w, t: w.MustParse(pageFS, "templates/start.html")}
	e := w.Echo()
	practitioner := w.SignedIn(actor.RolePractitioner)
	e.GET("/services/:id/start", p.start, practitioner)
	e.POST("/services/:id/start", p.startSubmit, practitioner)
}

// startView is the "What is the person's CRN?" page.
type startView struct {
	Action string
	CRN    string
}

func (p *Pages) startPage(c echo.Context, status int, crn string, errs web.Errors) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	e, err := p.catalogue.CatalogueEntry(httpserver.Ctx(c), httpserver.MustActor(c), id, calendar.Date{})
	if err != nil {
		return err
	}
	return p.w.Render(c, status, p.t, "start", web.Page{Title: "What is the person's CRN?", Caption: e.ContractType.Name + ", " + e.Reference,
		Back: &web.Link{Text: "Back", Href: "/services/" + id.String()}, Errors: errs,
		Body: startView{Action: "/services/" + id.String() + "/start", CRN: crn}})
}

func (p *Pages) start(c echo.Context) error { return p.startPage(c, http.StatusOK, "", web.Errors{}) }

func (p *Pages) startSubmit(c echo.Context) error {
	id, err := httpserver.PathID(c, "id")
	if err != nil {
		return err
	}
	crn := strings.TrimSpace(c.FormValue("crn"))
	d, err := p.svc.Create(httpserver.Ctx(c), httpserver.MustActor(c), CreateParams{ContractID: id, CRN: crn})
	if errs, ok := webErrors(err, crn); ok {
		return p.startPage(c, http.StatusBadRequest, crn, errs)
	}
	if err != nil {
		return err
	}
	web.SetFlash(c, web.Flash{Heading: "Referral started", Text: "Your draft is saved; you can come back to it at any time."})
	return web.Redirect(c, "/referrals/"+d.ID.String()+"/draft")
}

// webErrors maps Create's refusals to the CRN question: an empty answer reads "Enter the person's CRN".
func webErrors(err error, crn string) (web.Errors, bool) {
	if err == nil {
		return web.Errors{}, false
	}
	if crn == "" {
		var errs web.Errors
		errs.Add("crn", "crn", web.Message("crn", "required", ""))
		return errs, true
	}
	return web.ErrorsFrom(err, nil)
}
