package sim

import (
	"path/filepath"
	"sort"
	"strconv"
	"time"
)

// ImportTask is a snapshot import: active for a few describes, then
// completed with a snapshot (or failed, when the object is missing).
type ImportTask struct {
	ID, Bucket, Key, Format, Status, SnapshotID, Message string
	Tags                                                 map[string]string
	describes                                            int

	// With a box (boot.go): the object's bytes being copied, then kept.
	copying, copied  bool
	disk, diskFormat string
	diskErr          error
}

// Snapshot is an EBS snapshot.
type Snapshot struct {
	ID      string
	SizeGiB int64
	Started time.Time
	Tags    map[string]string

	// disk is the snapshot's bytes in the box (boot.go), if it has them.
	disk, diskFormat string
}

// Image is a registered AMI.
type Image struct {
	ID, Name, Arch, SnapshotID string
	// BootMode is legacy-bios or uefi (RegisterImage's BootMode).
	BootMode string
	// State is pending (a copy in progress: available some describes
	// later) or available.
	State   string
	Created time.Time
	Tags    map[string]string
	// Public: launch permission for group "all" (ModifyImageAttribute).
	Public bool

	describes int
}

// Images returns copies of the registered AMIs, by ID.
func (s *Server) Images() []Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Image
	for _, id := range sortedKeys(s.images) {
		out = append(out, *s.images[id])
	}
	return out
}

// ImportTasks returns copies of the snapshot import tasks, by ID.
func (s *Server) ImportTasks() []ImportTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ImportTask
	for _, id := range sortedKeys(s.imports) {
		out = append(out, *s.imports[id])
	}
	return out
}

// Snapshots returns copies of the snapshots, by ID.
func (s *Server) Snapshots() []Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Snapshot
	for _, id := range sortedKeys(s.snapshots) {
		out = append(out, *s.snapshots[id])
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type taskDetailXML struct {
	Status        string `xml:"status"`
	StatusMessage string `xml:"statusMessage,omitempty"`
	Progress      string `xml:"progress,omitempty"`
	SnapshotID    string `xml:"snapshotId,omitempty"`
	Format        string `xml:"format"`
	UserBucket    struct {
		Bucket string `xml:"s3Bucket"`
		Key    string `xml:"s3Key"`
	} `xml:"userBucket"`
}

type importTaskXML struct {
	ImportTaskID string        `xml:"importTaskId"`
	Detail       taskDetailXML `xml:"snapshotTaskDetail"`
	Tags         []tagItem     `xml:"tagSet>item"`
}

func (t *ImportTask) xml() importTaskXML {
	x := importTaskXML{ImportTaskID: t.ID, Tags: tagSet(t.Tags)}
	x.Detail = taskDetailXML{Status: t.Status, StatusMessage: t.Message, SnapshotID: t.SnapshotID, Format: t.Format}
	if t.Status == "active" {
		x.Detail.Progress = strconv.Itoa(min(99, 30*(t.describes+1)))
	}
	x.Detail.UserBucket.Bucket, x.Detail.UserBucket.Key = t.Bucket, t.Key
	return x
}

func (s *Server) importSnapshot(q query) (any, *apiError) {
	// As EC2: the same client token again is the same import (a retry
	// whose answer was lost, a client that crashed and came back).
	token := q.get("ClientToken")
	if id, ok := s.importTokens[token]; ok && token != "" {
		return s.imports[id].xml(), nil
	}
	t := &ImportTask{
		ID: s.id("import-snap"), Bucket: q.get("DiskContainer.UserBucket.S3Bucket"), Key: q.get("DiskContainer.UserBucket.S3Key"),
		Format: q.get("DiskContainer.Format"), Status: "active", Tags: q.tags("import-snapshot-task"),
	}
	if t.Bucket == "" || t.Key == "" {
		return nil, clientError("InvalidParameter", "DiskContainer.UserBucket.S3Bucket and S3Key are required")
	}
	switch t.Format {
	case "RAW", "VMDK", "VHD", "raw", "vmdk", "vhd":
	default:
		return nil, clientError("InvalidParameter", "Unsupported disk format %q", t.Format)
	}
	s.imports[t.ID] = t
	if token != "" {
		s.importTokens[token] = t.ID
	}
	return t.xml(), nil
}

// describeImportSnapshotTasks moves tasks along: after PendingDescribes
// describes a task completes, making its snapshot, or fails if the
// object is not in the simulated S3.
func (s *Server) describeImportSnapshotTasks(q query) (any, *apiError) {
	ids := q.list("ImportTaskId")
	if len(ids) == 0 {
		ids = sortedKeys(s.imports)
	}
	var resp struct {
		Tasks []importTaskXML `xml:"importSnapshotTaskSet>item"`
	}
	for _, id := range ids {
		t, ok := s.imports[id]
		if !ok {
			return nil, clientError("InvalidConversionTaskId.Malformed", "The import task ID '%s' does not exist", id)
		}
		if t.Status == "active" {
			t.describes++
			if t.describes >= s.opts.PendingDescribes {
				size, ok := int64(0), s.opts.S3 != nil
				if ok {
					size, ok = s.opts.S3.Object(t.Bucket, t.Key)
				}
				switch {
				case !ok:
					t.Status, t.Message = "deleted", "ClientError: Unable to find the object s3://"+t.Bucket+"/"+t.Key
				case s.opts.Box != nil && !t.copied:
					if !t.copying {
						s.importDisk(t)
					}
				case t.diskErr != nil:
					t.Status, t.Message = "deleted", "ClientError: Disk validation failed: "+t.diskErr.Error()
				default:
					// Like EC2, the task's tags stay on the task.
					snap := &Snapshot{ID: s.id("snap"), SizeGiB: max(1, (size+(1<<30)-1)>>30), Started: s.opts.Now(), Tags: map[string]string{}, disk: t.disk, diskFormat: t.diskFormat}
					s.snapshots[snap.ID] = snap
					t.Status, t.SnapshotID = "completed", snap.ID
				}
			}
		}
		resp.Tasks = append(resp.Tasks, t.xml())
	}
	return resp, nil
}

func (s *Server) registerImage(q query) (any, *apiError) {
	name := q.get("Name")
	if name == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameter Name")
	}
	for _, im := range s.images {
		if im.Name == name {
			return nil, clientError("InvalidAMIName.Duplicate", "AMI name %s is already in use by AMI %s", name, im.ID)
		}
	}
	snap := q.get("BlockDeviceMapping.1.Ebs.SnapshotId")
	if _, ok := s.snapshots[snap]; !ok {
		return nil, clientError("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist", snap)
	}
	bootMode := q.get("BootMode")
	switch bootMode {
	case "", "legacy-bios", "uefi", "uefi-preferred":
	default:
		return nil, clientError("InvalidParameterValue", "Value (%s) for parameter bootMode is invalid.", bootMode)
	}
	im := &Image{ID: s.id("ami"), Name: name, Arch: orDefault(q.get("Architecture"), "x86_64"), SnapshotID: snap, BootMode: bootMode, State: "available", Created: s.opts.Now(), Tags: q.tags("image")}
	s.images[im.ID] = im
	return struct {
		ImageID string `xml:"imageId"`
	}{im.ID}, nil
}

type imageXML struct {
	ImageID      string    `xml:"imageId"`
	Name         string    `xml:"name"`
	State        string    `xml:"imageState"`
	Arch         string    `xml:"architecture"`
	CreationDate string    `xml:"creationDate"`
	RootDevice   string    `xml:"rootDeviceName"`
	Public       bool      `xml:"isPublic"`
	Tags         []tagItem `xml:"tagSet>item"`
	Devices      []struct {
		DeviceName string `xml:"deviceName"`
		SnapshotID string `xml:"ebs>snapshotId"`
	} `xml:"blockDeviceMapping>item"`
}

func (s *Server) describeImages(q query) (any, *apiError) {
	ids := q.list("ImageId")
	for _, id := range ids {
		if _, ok := s.images[id]; !ok {
			return nil, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
		}
	}
	filters := q.filters()
	var resp struct {
		Images []imageXML `xml:"imagesSet>item"`
	}
	for _, id := range sortedKeys(s.images) {
		im := s.images[id]
		if len(ids) > 0 && !contains(ids, id) || !tagMatch(filters, im.Tags) {
			continue
		}
		if v, ok := filters["name"]; ok && !contains(v, im.Name) {
			continue
		}
		if im.State == "pending" {
			if im.describes++; im.describes >= s.opts.PendingDescribes {
				im.State = "available"
			}
		}
		x := imageXML{ImageID: im.ID, Name: im.Name, State: orDefault(im.State, "available"), Arch: im.Arch, CreationDate: im.Created.UTC().Format(time.RFC3339), RootDevice: "/dev/xvda", Public: im.Public, Tags: tagSet(im.Tags)}
		x.Devices = append(x.Devices, struct {
			DeviceName string `xml:"deviceName"`
			SnapshotID string `xml:"ebs>snapshotId"`
		}{"/dev/xvda", im.SnapshotID})
		resp.Images = append(resp.Images, x)
	}
	return resp, nil
}

func (s *Server) deregisterImage(q query) (any, *apiError) {
	id := q.get("ImageId")
	if _, ok := s.images[id]; !ok {
		return nil, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	delete(s.images, id)
	return returnResponse{true}, nil
}

type snapshotXML struct {
	SnapshotID string    `xml:"snapshotId"`
	Status     string    `xml:"status"`
	StartTime  string    `xml:"startTime"`
	VolumeSize int64     `xml:"volumeSize"`
	Tags       []tagItem `xml:"tagSet>item"`
}

func (s *Server) describeSnapshots(q query) (any, *apiError) {
	ids := q.list("SnapshotId")
	for _, id := range ids {
		if _, ok := s.snapshots[id]; !ok {
			return nil, clientError("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist", id)
		}
	}
	filters := q.filters()
	var resp struct {
		Snapshots []snapshotXML `xml:"snapshotSet>item"`
	}
	for _, id := range sortedKeys(s.snapshots) {
		sn := s.snapshots[id]
		if len(ids) > 0 && !contains(ids, id) || !tagMatch(filters, sn.Tags) {
			continue
		}
		resp.Snapshots = append(resp.Snapshots, snapshotXML{sn.ID, "completed", sn.Started.UTC().Format(time.RFC3339), sn.SizeGiB, tagSet(sn.Tags)})
	}
	return resp, nil
}

func (s *Server) deleteSnapshot(q query) (any, *apiError) {
	id := q.get("SnapshotId")
	if _, ok := s.snapshots[id]; !ok {
		return nil, clientError("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist", id)
	}
	for _, im := range s.images {
		if im.SnapshotID == id {
			return nil, clientError("InvalidSnapshot.InUse", "The snapshot %s is currently in use by %s", id, im.ID)
		}
	}
	if sn := s.snapshots[id]; sn.disk != "" && s.opts.Box != nil {
		if err := s.opts.Box.RemoveDisk(filepath.Base(sn.disk)); err != nil {
			return nil, &apiError{status: 500, code: "InternalError", msg: "cloud-in-a-box: " + err.Error()}
		}
	}
	delete(s.snapshots, id)
	return returnResponse{true}, nil
}

// createTags tags instances, images and snapshots.
func (s *Server) createTags(q query) (any, *apiError) {
	tags := map[string]string{}
	for i := 1; ; i++ {
		k := q.get("Tag." + strconv.Itoa(i) + ".Key")
		if k == "" {
			break
		}
		tags[k] = q.get("Tag." + strconv.Itoa(i) + ".Value")
	}
	for _, id := range q.list("ResourceId") {
		var target map[string]string
		switch {
		case s.instances[id] != nil:
			target = s.instances[id].Tags
		case s.images[id] != nil:
			target = s.images[id].Tags
		case s.snapshots[id] != nil:
			if s.snapshots[id].Tags == nil {
				s.snapshots[id].Tags = map[string]string{}
			}
			target = s.snapshots[id].Tags
		default:
			return nil, clientError("InvalidID", "The ID '%s' is not valid", id)
		}
		for k, v := range tags {
			target[k] = v
		}
	}
	return returnResponse{true}, nil
}

// AddSnapshot makes a snapshot as if imported at started, for tests.
func (s *Server) AddSnapshot(tags map[string]string, started time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := &Snapshot{ID: s.id("snap"), SizeGiB: 8, Started: started, Tags: tags}
	s.snapshots[sn.ID] = sn
	return sn.ID
}

// AddImage registers an AMI of a snapshot at created, for tests.
func (s *Server) AddImage(name, snapshot string, tags map[string]string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	im := &Image{ID: s.id("ami"), Name: name, Arch: "x86_64", SnapshotID: snapshot, Created: created, Tags: tags}
	s.images[im.ID] = im
	return im.ID
}

// copyImage copies an AMI (and its snapshot) from another region of the
// same Cloud into this one; the copy is pending for a few describes.
func (s *Server) copyImage(q query) (any, *apiError) {
	name, from, srcID := q.get("Name"), q.get("SourceRegion"), q.get("SourceImageId")
	if name == "" || from == "" || srcID == "" {
		return nil, clientError("MissingParameter", "The request must contain the parameters Name, SourceRegion and SourceImageId")
	}
	var src *Server
	if s.peer != nil {
		src = s.peer(from)
	}
	if src == nil {
		return nil, clientError("InvalidParameterValue", "Invalid source region %s (this simulator serves one region; use a Cloud)", from)
	}
	orig, ok := src.images[srcID]
	if !ok {
		return nil, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist in %s", srcID, from)
	}
	for _, im := range s.images {
		if im.Name == name {
			return nil, clientError("InvalidAMIName.Duplicate", "AMI name %s is already in use by AMI %s", name, im.ID)
		}
	}
	snap := &Snapshot{ID: s.id("snap"), Started: s.opts.Now(), Tags: q.tags("snapshot")}
	if o := src.snapshots[orig.SnapshotID]; o != nil {
		snap.SizeGiB = o.SizeGiB
	}
	s.snapshots[snap.ID] = snap
	im := &Image{ID: s.id("ami"), Name: name, Arch: orig.Arch, SnapshotID: snap.ID, State: "pending", Created: s.opts.Now(), Tags: q.tags("image")}
	s.images[im.ID] = im
	return struct {
		ImageID string `xml:"imageId"`
	}{im.ID}, nil
}

// modifyImageAttribute changes who may launch an AMI: the group "all"
// added makes it public, removed private again. Accounts by ID are
// accepted and not kept (one account is simulated).
func (s *Server) modifyImageAttribute(q query) (any, *apiError) {
	id := q.get("ImageId")
	im, ok := s.images[id]
	if !ok {
		return nil, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	changed := false
	for _, op := range []struct {
		prefix string
		public bool
	}{{"LaunchPermission.Add", true}, {"LaunchPermission.Remove", false}} {
		for i := 1; ; i++ {
			item := op.prefix + "." + strconv.Itoa(i)
			group, user := q.get(item+".Group"), q.get(item+".UserId")
			if group == "" && user == "" {
				break
			}
			changed = true
			if group != "" && group != "all" {
				return nil, clientError("InvalidParameterValue", "Value (%s) for parameter group is invalid. Valid value: all", group)
			}
			if group == "all" {
				im.Public = op.public
			}
		}
	}
	if !changed {
		return nil, clientError("MissingParameter", "No attributes specified.")
	}
	return returnResponse{true}, nil
}
