package conf

import (
	butane "github.com/coreos/butane/config"
	"github.com/coreos/butane/config/common"
)

// translateButane turns Butane YAML into Ignition JSON of the spec version
// its variant and version call for.
func translateButane(data []byte) ([]byte, error) {
	out, rpt, err := butane.TranslateBytes(data, common.TranslateBytesOptions{})
	if err != nil {
		for _, e := range rpt.Entries {
			if !e.Kind.IsFatal() {
				continue
			}
			be := &Error{Kind: KindButane, Field: e.Context.String(), Msg: e.Message}
			if e.Context.Len() == 0 {
				be.Field = ""
			}
			if e.Marker.StartP != nil {
				be.Line = int(e.Marker.StartP.Line)
			}
			return nil, be
		}
		return nil, &Error{Kind: KindButane, Msg: err.Error()}
	}
	return out, nil
}
