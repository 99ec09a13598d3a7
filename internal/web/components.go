package web

import (
	"net/url"
	"strconv"
)

// The view types the component partials in templates/components.html take. Presenters build them;
// templates pass them to components with (dict "Key" value ...).

// Item is one option of radios, checkboxes or a select.
type Item struct {
	Value   string
	Text    string
	Hint    string
	Checked bool
}

// Tag is a status tag; Colour is a GOV.UK tag colour ("grey", "blue", "light-blue", "green",
// "red", "orange", "yellow", "purple", "pink", "turquoise"), "" for the default dark blue.
type Tag struct {
	Text   string
	Colour string
}

// Cell is one table cell: text, optionally a link or a tag.
type Cell struct {
	Text    string
	Href    string
	Tag     *Tag
	Numeric bool
}

// Header is one column heading; SortHref makes the heading a sort link and AriaSort
// ("ascending", "descending", "none") tells assistive technology the current order.
type Header struct {
	Text     string
	Numeric  bool
	SortHref string
	AriaSort string
}

// Table is a GOV.UK table.
type Table struct {
	Caption string
	Head    []Header
	Rows    [][]Cell
}

// SummaryRow is one row of a summary list; Href adds a "Change" link whose visually hidden text is
// HiddenText ("date of birth").
type SummaryRow struct {
	Key        string
	Value      string
	Lines      []string
	Href       string
	ActionText string
	HiddenText string
}

// Task is one task of a task list; Status is a tag, or plain text when the tag has no colour and
// Plain is set ("Completed" is plain text in the GOV.UK pattern).
type Task struct {
	Title  string
	Href   string
	Hint   string
	Status Tag
	Plain  bool
}

// Pagination is MoJ pagination: a results line and previous/next links with page numbers when the
// total is known.
type Pagination struct {
	From, To, Total int
	Prev, Next      string
	Pages           []PageLink
}

// PageLink is one numbered page; Ellipsis stands for skipped pages.
type PageLink struct {
	Number   int
	Href     string
	Current  bool
	Ellipsis bool
}

// NewPagination builds numbered pagination for page (1-based) of size over total results, linking
// with the query q plus page=N.
func NewPagination(base string, q url.Values, pageNo, size, total int) Pagination {
	if size <= 0 {
		size = 1
	}
	pages := (total + size - 1) / size
	if pages == 0 {
		pages = 1
	}
	if pageNo < 1 {
		pageNo = 1
	}
	if pageNo > pages {
		pageNo = pages
	}
	href := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if enc := v.Encode(); enc != "" {
			return base + "?" + enc
		}
		return base
	}
	p := Pagination{Total: total}
	if total > 0 {
		p.From = (pageNo-1)*size + 1
		p.To = min(pageNo*size, total)
	}
	if pageNo > 1 {
		p.Prev = href(pageNo - 1)
	}
	if pageNo < pages {
		p.Next = href(pageNo + 1)
	}
	if pages > 1 {
		last := 0
		for n := 1; n <= pages; n++ {
			if n == 1 || n == pages || (n >= pageNo-2 && n <= pageNo+2) {
				if last != 0 && n > last+1 {
					p.Pages = append(p.Pages, PageLink{Ellipsis: true})
				}
				p.Pages = append(p.Pages, PageLink{Number: n, Href: href(n), Current: n == pageNo})
				last = n
			}
		}
	}
	return p
}

// FilterCategory is one group of active filters in the MoJ filter's "Selected filters", each tag a
// link that removes that filter.
type FilterCategory struct {
	Heading string
	Tags    []Link
}
