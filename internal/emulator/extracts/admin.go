package extracts

import (
	"errors"
	"net/http"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// RunHandler is the emulator's admin endpoint for starting an extract on
// demand (FNO starts them from the Producer Portal, which the emulator
// does not have): POST ?name=DEVICE answers the new job as GET
// /flexnet/operations/extracts/{jobid} would. The server in front checks
// the web-services credentials.
func (h *Handler) RunHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			restkit.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "POST ?name=<extract> to run an extract"})
			return
		}
		j, err := h.Run(r.URL.Query().Get("name"))
		switch {
		case errors.Is(err, ErrUnknownExtract):
			restkit.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
		case errors.Is(err, ErrTooManyJobs):
			restkit.WriteJSON(w, http.StatusConflict, map[string]string{"message": err.Error()})
		case err != nil:
			restkit.WriteJSON(w, http.StatusInternalServerError, map[string]string{"message": "the extract could not be run"})
		default:
			restkit.WriteJSON(w, http.StatusCreated, j.json())
		}
	})
}
