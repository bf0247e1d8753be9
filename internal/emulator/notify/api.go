package notify

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// serveAPI routes a request under Prefix.
func (s *Service) serveAPI(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case PathHealth:
		s.health(w, r)
	case PathAuthenticate:
		s.authenticate(w, r)
	case PathService:
		// The token first, before the body is read: an anonymous client
		// costs no decoding.
		if !s.bearer(w, r) {
			return
		}
		switch r.Method {
		case http.MethodGet:
			s.getSettings(w)
		case http.MethodPost:
			s.writeSettings(w, r, false)
		case http.MethodPatch:
			s.writeSettings(w, r, true)
		default:
			w.Header().Set("Allow", "GET, POST, PATCH")
			writeError(w, http.StatusMethodNotAllowed, "use GET, POST or PATCH on this path")
		}
	default:
		writeError(w, http.StatusNotFound, "no Event Notification Service route at this path")
	}
}

func writeError(w http.ResponseWriter, status int, message string) {
	restkit.WriteJSON(w, status, map[string]string{"message": message})
}

// health answers UP while deliveries run, DOWN once the service is closed
// (EN-6: 200 with UP or DOWN; no authentication).
func (s *Service) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "use GET on this path")
		return
	}
	status := "UP"
	if s.closed.Load() {
		status = "DOWN"
	}
	restkit.WriteJSON(w, http.StatusOK, map[string]string{"status": status})
}

// authenticate exchanges Basic or Fno credentials for a JWT (EN-1).
func (s *Service) authenticate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "use GET with the credentials in the Authorization header (Basic or Fno scheme)")
		return
	}
	user, pass, ok := restkit.BasicOrFno(r)
	if !ok || !s.cfg.Auth(user, pass) {
		w.Header().Set("WWW-Authenticate", restkit.Challenge("Basic", s.cfg.Realm))
		writeError(w, http.StatusUnauthorized, "authentication failed: send Authorization: Basic (or Fno) and the Base64 of user:password of a web-services user")
		return
	}
	tok, _, err := s.tokens.Issue(user, Audience, s.cfg.TokenTTL)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "no token could be issued")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	restkit.WriteJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// bearer checks the request's JWT, answering 401 when it is missing or
// not good. The message says which, never what the token was.
func (s *Service) bearer(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := restkit.Bearer(r)
	msg := "authentication required: send Authorization: Bearer and a token from " + PathAuthenticate
	if ok {
		_, err := s.tokens.Verify(tok, Audience)
		switch {
		case err == nil:
			return true
		case errors.Is(err, restkit.ErrTokenExpired):
			msg = restkit.ErrTokenExpired.Error()
		default:
			msg = err.Error() // restkit's reasons name the check, not the token
		}
	}
	challenge := `Bearer realm="notification"`
	if ok {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeError(w, http.StatusUnauthorized, msg)
	return false
}

func (s *Service) getSettings(w http.ResponseWriter) {
	s.mu.Lock()
	m := s.settings
	s.mu.Unlock()
	if m == nil {
		writeError(w, http.StatusNotFound, "event notifications are not configured yet: POST the configuration first")
		return
	}
	restkit.WriteJSON(w, http.StatusOK, render(m))
}

// writeSettings serves POST (replace; 201 the first time) and PATCH
// (merge). The whole result is checked before it is stored, so a bad
// request changes nothing.
func (s *Service) writeSettings(w http.ResponseWriter, r *http.Request, patch bool) {
	var body map[string]any
	if e := restkit.ReadJSON(w, r, s.cfg.MaxBody, &body); e != nil {
		writeError(w, e.Status, e.Reason)
		return
	}
	if body == nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON object")
		return
	}
	given, problems := parseSettings(body, s.cfg.AllowRemoteWebhooks)
	if len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the configuration is not valid: "+strings.Join(problems, "; "))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next, status := given, http.StatusOK
	switch {
	case patch:
		next = merge(s.settings, given)
	case s.settings == nil:
		status = http.StatusCreated
	}
	if problems := checkComplete(next); len(problems) > 0 {
		writeError(w, http.StatusBadRequest, "the configuration is not valid: "+strings.Join(problems, "; "))
		return
	}
	s.settings = next
	s.version++
	s.subscribe(deviceSubscription(next, s.version))
	restkit.WriteJSON(w, status, render(next))
}

// subscribe makes sub the device subscription, listening to the store
// only while there is one: a store nobody subscribed to pays nothing.
// The caller holds s.mu.
func (s *Service) subscribe(sub *subscription) {
	s.sub.Store(sub)
	switch {
	case sub != nil && s.unlisten == nil && !s.closed.Load():
		s.unlisten = s.cfg.Store.OnDeviceEvent(s.onDevice)
	case sub == nil && s.unlisten != nil:
		s.unlisten()
		s.unlisten = nil
	}
}
