package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
	"github.com/unifiedgen/unifiedgen/runtime/validation"
)

// integrationMeta is one integration's rules for a method, the part of the
// metadata that depends on the account.
type integrationMeta struct {
	ID                       string              `json:"id"`
	Name                     string              `json:"name"`
	RequiredBodyFields       []string            `json:"required_body_fields"`
	SupportedBodyFields      []string            `json:"supported_body_fields"`
	RequiredQueryParameters  []string            `json:"required_query_parameters"`
	SupportedQueryParameters []string            `json:"supported_query_parameters"`
	ResponseFields           []string            `json:"response_fields"`
	Enums                    map[string][]string `json:"enums"`
	// Backend is local or remote; NeedsReauth reports an account whose
	// credentials the provider refused.
	Backend     string `json:"backend"`
	NeedsReauth bool   `json:"needs_reauth"`
}

// meta serves GET /unified/{model}/{resource}/meta/{method}: the method's
// metadata, rendered at generation time, and with integrated_account_id
// the rules of that account's integration, read from the generated matrix.
func (s *Server) meta(res *resource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		label(w, "meta", "")
		method := r.PathValue("method")
		op, found := s.svc.Lookup(res.model, res.name, method)
		if !found {
			writeError(w, http.StatusNotFound, res.model+"/"+res.name+" has no method "+strconv.Quote(method)+"; it has "+res.methods())
			return
		}
		var rep validation.Report
		q, ok := validation.ParseQuery(r.URL.RawQuery, &rep)
		var id string
		if ok {
			if v, present := q.Get(api.ParamIntegratedAccountID); present {
				if u, ok := validation.QueryParam(&rep, api.ParamIntegratedAccountID).UUID(v); ok {
					id = u.String()
				}
			}
		}
		if !rep.OK() {
			writeFailures(s, w, r, &rep, "")
			return
		}
		if id == "" {
			w.Header()["Content-Type"] = jsonContentType
			writeBody(w, http.StatusOK, []byte(op.Meta), false)
			return
		}
		acct, ok := s.accountFor(w, r, id, op, true)
		if !ok {
			return
		}
		im := integrationMeta{ID: acct.Integration, Name: s.svc.IntegrationName(acct.Integration), Enums: map[string][]string{}, Backend: "local"}
		if acct.Remote() {
			im.Backend = "remote"
		}
		im.NeedsReauth = acct.NeedsReauth
		im.RequiredQueryParameters, im.SupportedQueryParameters = matrix.Split(op.Query, acct.Integration)
		im.RequiredBodyFields, im.SupportedBodyFields = matrix.Split(op.Request, acct.Integration)
		_, im.ResponseFields = matrix.Split(op.Response, acct.Integration)
		for _, e := range op.Enums {
			if e.Integration == acct.Integration {
				im.Enums[e.Path] = e.Values
			}
		}
		// The operation's metadata is generated JSON: the account's part is
		// added as its last member, rather than by decoding it again.
		part, err := marshal(im)
		if err != nil { // strings, slices and maps of them: not seen
			writeError(w, http.StatusInternalServerError, "the metadata could not be encoded")
			return
		}
		body := make([]byte, 0, len(op.Meta)+len(part)+16)
		body = append(body, strings.TrimSuffix(op.Meta, "}")...)
		body = append(body, `,"integration":`...)
		body = append(body, part...) // ends with marshal's newline
		body = append(body[:len(body)-1], "}\n"...)
		w.Header()["Content-Type"] = jsonContentType
		writeBody(w, http.StatusOK, body, false)
	}
}

// ready answers 200 when the database answers, its schema is the one
// this program's migrations produce, and its last write did not fail (a
// full disk fails every write while reads go on); 503 otherwise. A load
// balancer sends traffic only to ready replicas.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	label(w, "health", "")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.store.Ready(ctx)
	if err == nil {
		err = s.store.WriteHealth()
	}
	if err != nil {
		s.log.Error("readiness", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// health is the service's liveness (/healthz) and readiness (/readyz),
// served on the API listener and the admin listener alike.
func (s *Server) health() (liveness, readiness http.HandlerFunc) {
	return func(w http.ResponseWriter, r *http.Request) {
		label(w, "health", "")
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}, s.ready
}
