package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/unifiedgen/unifiedgen/runtime/api"
	"github.com/unifiedgen/unifiedgen/runtime/matrix"
)

// resource is one resource of the service with its operations.
type resource struct {
	model, name string
	ops         []*api.Operation
}

// routes registers, on a Go 1.22 ServeMux:
//
//   - every operation at its method and path;
//   - per resource path, every other method: 405 with Allow and a message
//     naming the methods the resource has;
//   - per resource, GET .../meta/{method}: the method's metadata;
//   - /openapi.yaml, /healthz and /readyz; anything else is 404 naming the
//     resources there are.
func (s *Server) routes() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	var resources []*resource
	byPath := map[string][]*api.Operation{}
	for _, op := range s.svc.Operations {
		i := slices.IndexFunc(resources, func(r *resource) bool { return r.model == op.Model && r.name == op.Resource })
		if i < 0 {
			resources = append(resources, &resource{model: op.Model, name: op.Resource})
			i = len(resources) - 1
		}
		resources[i].ops = append(resources[i].ops, op)
		byPath[op.Path] = append(byPath[op.Path], op)
		mux.Handle(op.HTTPMethod+" "+op.Path, s.operation(op))
	}
	for _, r := range resources {
		mux.HandleFunc("GET /unified/"+r.model+"/"+r.name+"/meta/{method}", s.meta(r))
		// A resource's collection and record paths exist even when no
		// method uses one: a request there names a method the resource
		// does not have.
		for _, p := range []string{"/unified/" + r.model + "/" + r.name, "/unified/" + r.model + "/" + r.name + "/{id}"} {
			if _, ok := byPath[p]; !ok {
				byPath[p] = nil
			}
		}
	}
	for path, ops := range byPath {
		var allow []string
		for _, op := range ops {
			allow = append(allow, op.HTTPMethod)
		}
		slices.Sort(allow)
		r := resources[slices.IndexFunc(resources, func(r *resource) bool {
			return strings.HasPrefix(path, "/unified/"+r.model+"/"+r.name+"/") || path == "/unified/"+r.model+"/"+r.name
		})]
		notAllowed := func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, req.Method+" "+path+" is not a method of "+r.model+"/"+r.name+"; it has "+r.methods())
		}
		if len(ops) == 0 || ops[0].Kind != matrix.Custom {
			mux.HandleFunc(path, notAllowed)
			continue
		}
		// A custom method's path (/r/merge) is also a record's (/r/{id}):
		// every method the record path serves stays the record's, the
		// others are refused here. (A method-less pattern here would
		// overlap the record path's, which ServeMux refuses.)
		item := "/unified/" + r.model + "/" + r.name + "/{id}"
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if slices.Contains(allow, m) || slices.ContainsFunc(byPath[item], func(op *api.Operation) bool { return op.HTTPMethod == m }) {
				continue
			}
			mux.HandleFunc(m+" "+path, notAllowed)
		}
	}
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		label(w, "openapi", "")
		w.Header().Set("Content-Type", "application/yaml")
		writeBody(w, http.StatusOK, []byte(s.svc.OpenAPI), false)
	})
	live, ready := s.health()
	mux.HandleFunc("GET /healthz", live)
	mux.HandleFunc("GET /readyz", ready)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		names := make([]string, len(resources))
		for i, res := range resources {
			names[i] = "/unified/" + res.model + "/" + res.name
		}
		writeError(w, http.StatusNotFound, "no resource at "+r.URL.Path+"; the resources are "+strings.Join(names, ", "))
	})
	return mux, nil
}

// methods lists a resource's methods as clients call them:
// "create (POST /unified/ticketing/users), update (PATCH ...)".
func (r *resource) methods() string {
	parts := make([]string, len(r.ops))
	for i, op := range r.ops {
		parts[i] = op.Method + " (" + op.HTTPMethod + " " + op.Path + ")"
	}
	return strings.Join(parts, ", ")
}

// implemented lists the methods of a resource an integration implements,
// for the Allow header of an account's 405.
func implemented(ops []*api.Operation, path, integration string) []string {
	var out []string
	for _, op := range ops {
		if op.Path == path && op.Implements(integration) {
			out = append(out, op.HTTPMethod)
		}
	}
	slices.Sort(out)
	return out
}
