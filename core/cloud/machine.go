package cloud

// Machine is what every cloud machine answers without an API call: its
// ID, its addresses once the cloud reports them, and its metric labels
// (size, region or zone, image). Providers embed it beside
// platform.SSHMachine.
type Machine struct {
	id, publicIP, privateIP string
	labels                  map[string]string
}

// NewMachine is a machine known by id, without addresses yet.
func NewMachine(id string, labels map[string]string) Machine {
	return Machine{id: id, labels: labels}
}

// SetAddresses records the addresses the cloud gave the machine.
func (m *Machine) SetAddresses(public, private string) { m.publicIP, m.privateIP = public, private }

func (m *Machine) ID() string        { return m.id }
func (m *Machine) IP() string        { return m.publicIP }
func (m *Machine) PrivateIP() string { return m.privateIP }

// MetricLabels describe the machine for metrics.
func (m *Machine) MetricLabels() map[string]string { return m.labels }
