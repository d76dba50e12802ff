package spec_test

// This file is a hand transcription of the two documentation pages that are
// the source of truth for the support matrix:
//
//	../shared/seeds/create-user.POST.txt
//	../shared/seeds/update-user.PATCH.txt
//
// It was written by reading the pages line by line, NOT by copying
// openapi.yaml: it exists so that spec_test.go can catch transcription
// mistakes in the YAML. Every row records what the page states: the counts of
// the block header ("8 supported4 required"; a missing "required" count is 0)
// and the (display name, level) pairs in the order the page lists them. The
// line numbers in the comments point into the page.

// Page levels.
const (
	req = "required"
	sup = "supported"
)

// pageCell is one "<display name>\n<level>" pair of a page matrix block.
type pageCell struct {
	Name  string // display name, as on the page
	Level string // "required" or "supported"
}

// pageRow is one field (or query parameter) that has a matrix block.
type pageRow struct {
	Field     string
	Supported int // "N supported"
	Required  int // "M required" (0 when the page states none)
	Cells     []pageCell
}

// pageEnum is a per-integration value list that the page prints right after
// an integration's level inside a field's block.
type pageEnum struct {
	Field       string   // the field on the page
	SpecPath    string   // the key it maps to in x-unified-support.enums
	Integration string   // display name
	Values      []string // as the page lists them
}

// pageOp is everything one page says about one operation.
type pageOp struct {
	Key         string // create | update (also x-unified-support.method)
	OperationID string
	HTTPMethod  string
	Path        string
	Page        string // the seed file this was transcribed from

	// Integrations is the union of every display name on the page.
	Integrations []string

	// Sections: "query", "request", "response".
	Rows map[string][]pageRow
	// Fields of each section that the page shows without any matrix block;
	// the spec encodes them as '*': supported.
	NoBlock map[string][]string

	Enums []pageEnum
}

var pageOps = []pageOp{createPage, updatePage}

var createPage = pageOp{
	Key:         "create",
	OperationID: "createUser",
	HTTPMethod:  "POST",
	Path:        "/unified/ticketing/users",
	Page:        "../shared/seeds/create-user.POST.txt",
	Integrations: []string{
		"Dixa",
		"Freshchat",
		"Gorgias",
		"Hive",
		"Pivotal Tracker",
		"Planhat",
		"Qualtrics CoreXM",
		"Re:amaze",
		"SolarWinds Service Desk",
		"Teamwork Project Management",
	},
	Rows: map[string][]pageRow{
		"query": {
			{Field: "collections", Supported: 1, Required: 1, Cells: []pageCell{ // l.8-14
				{"Pivotal Tracker", req},
			}},
		},
		"request": {
			{Field: "name", Supported: 8, Required: 4, Cells: []pageCell{ // l.59-80
				{"Dixa", req},
				{"Pivotal Tracker", req},
				{"Re:amaze", req},
				{"SolarWinds Service Desk", req},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Planhat", sup},
			}},
			{Field: "avatar", Supported: 3, Cells: []pageCell{ // l.81-91
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "custom_fields", Supported: 1, Cells: []pageCell{ // l.92-95
				{"Planhat", sup},
			}},
			{Field: "emails", Supported: 9, Required: 8, Cells: []pageCell{ // l.96-118
				{"Dixa", req},
				{"Gorgias", req},
				{"Hive", req},
				{"Pivotal Tracker", req},
				{"Planhat", req},
				{"Qualtrics CoreXM", req},
				{"Re:amaze", req},
				{"SolarWinds Service Desk", req},
				{"Freshchat", sup},
			}},
			{Field: "first_name", Supported: 7, Required: 2, Cells: []pageCell{ // l.131-149
				{"Planhat", req},
				{"Qualtrics CoreXM", req},
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "languages", Supported: 1, Required: 1, Cells: []pageCell{ // l.150-156
				{"Qualtrics CoreXM", req},
			}},
			{Field: "last_name", Supported: 7, Required: 2, Cells: []pageCell{ // l.157-175
				{"Planhat", req},
				{"Qualtrics CoreXM", req},
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "nick_name", Supported: 1, Required: 1, Cells: []pageCell{ // l.176-182
				{"Planhat", req},
			}},
			{Field: "password", Supported: 1, Required: 1, Cells: []pageCell{ // l.183-189
				{"Qualtrics CoreXM", req},
			}},
			{Field: "roles", Supported: 7, Cells: []pageCell{ // l.194-215
				{"Pivotal Tracker", sup},
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Planhat", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "status", Supported: 1, Cells: []pageCell{ // l.224-230
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "team_ids", Supported: 3, Cells: []pageCell{ // l.231-241
				{"Dixa", sup},
				{"Freshchat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "user_type", Supported: 1, Required: 1, Cells: []pageCell{ // l.242-248
				{"Qualtrics CoreXM", req},
			}},
			{Field: "username", Supported: 2, Required: 1, Cells: []pageCell{ // l.249-257
				{"Qualtrics CoreXM", req},
				{"Pivotal Tracker", sup},
			}},
		},
		"response": {
			{Field: "id", Supported: 10, Cells: []pageCell{ // l.261-286
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"Qualtrics CoreXM", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "name", Supported: 8, Cells: []pageCell{ // l.287-308
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "avatar", Supported: 3, Cells: []pageCell{ // l.309-319
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "created_at", Supported: 7, Cells: []pageCell{ // l.320-338
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "emails", Supported: 8, Cells: []pageCell{ // l.339-359
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "first_name", Supported: 6, Cells: []pageCell{ // l.373-389
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Planhat", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "is_active", Supported: 5, Cells: []pageCell{ // l.390-404
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "last_name", Supported: 6, Cells: []pageCell{ // l.405-421
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Hive", sup},
				{"Planhat", sup},
				{"Teamwork Project Management", sup},
			}},
			{Field: "roles", Supported: 7, Cells: []pageCell{ // l.426-444
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Gorgias", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "team_ids", Supported: 3, Cells: []pageCell{ // l.453-463
				{"Dixa", sup},
				{"Freshchat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "updated_at", Supported: 6, Cells: []pageCell{ // l.464-480
				{"Dixa", sup},
				{"Gorgias", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"Re:amaze", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "username", Supported: 1, Cells: []pageCell{ // l.481-487
				{"Pivotal Tracker", sup},
			}},
		},
	},
	NoBlock: map[string][]string{
		"query": { // l.19-53, under "Show Truto-specific parameters"
			"integrated_account_id",
			"truto_response_format",
			"truto_ignore_remote_data",
			"truto_exclude_fields",
			"remote_query",
		},
		"request":  {"remote_data"},         // l.190-193
		"response": {"etag", "remote_data"}, // l.369-372, l.422-425
	},
	Enums: []pageEnum{
		// l.201-203: "Pivotal Tracker / supported / ownermemberviewer"
		{Field: "roles", SpecPath: "roles[].id", Integration: "Pivotal Tracker", Values: []string{"owner", "member", "viewer"}},
		// l.228-230: "SolarWinds Service Desk / supported / activeinactive"
		{Field: "status", SpecPath: "status", Integration: "SolarWinds Service Desk", Values: []string{"active", "inactive"}},
	},
}

var updatePage = pageOp{
	Key:         "update",
	OperationID: "updateUser",
	HTTPMethod:  "PATCH",
	Path:        "/unified/ticketing/users/{id}",
	Page:        "../shared/seeds/update-user.PATCH.txt",
	Integrations: []string{
		"Dixa",
		"Freshchat",
		"Hive",
		"Pivotal Tracker",
		"Planhat",
		"SolarWinds Service Desk",
		"SurveySparrow Ticket Management",
	},
	Rows: map[string][]pageRow{
		"query": {
			{Field: "collections", Supported: 1, Required: 1, Cells: []pageCell{ // l.17-23
				{"Pivotal Tracker", req},
			}},
		},
		"request": {
			{Field: "name", Supported: 7, Required: 1, Cells: []pageCell{ // l.68-87
				{"Dixa", req},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "avatar", Supported: 3, Cells: []pageCell{ // l.88-98
				{"Dixa", sup},
				{"Freshchat", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "custom_fields", Supported: 1, Cells: []pageCell{ // l.99-102
				{"Planhat", sup},
			}},
			{Field: "emails", Supported: 7, Cells: []pageCell{ // l.103-121
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "first_name", Supported: 4, Cells: []pageCell{ // l.134-146
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Planhat", sup},
			}},
			{Field: "last_name", Supported: 4, Cells: []pageCell{ // l.147-159
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Planhat", sup},
			}},
			{Field: "roles", Supported: 6, Cells: []pageCell{ // l.164-183
				{"Pivotal Tracker", sup},
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "status", Supported: 1, Cells: []pageCell{ // l.192-198
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "team_ids", Supported: 3, Cells: []pageCell{ // l.199-209
				{"Dixa", sup},
				{"Freshchat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "username", Supported: 1, Cells: []pageCell{ // l.210-216
				{"Pivotal Tracker", sup},
			}},
		},
		"response": {
			{Field: "id", Supported: 7, Cells: []pageCell{ // l.220-239
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "name", Supported: 7, Cells: []pageCell{ // l.240-259
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "avatar", Supported: 3, Cells: []pageCell{ // l.260-270
				{"Dixa", sup},
				{"Freshchat", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "created_at", Supported: 6, Cells: []pageCell{ // l.271-287
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "emails", Supported: 7, Cells: []pageCell{ // l.288-306
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "first_name", Supported: 4, Cells: []pageCell{ // l.320-332
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Planhat", sup},
			}},
			{Field: "is_active", Supported: 4, Cells: []pageCell{ // l.333-345
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "last_name", Supported: 4, Cells: []pageCell{ // l.346-358
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Hive", sup},
				{"Planhat", sup},
			}},
			{Field: "roles", Supported: 6, Cells: []pageCell{ // l.363-379
				{"Dixa", sup},
				{"Freshchat", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
				{"SurveySparrow Ticket Management", sup},
			}},
			{Field: "team_ids", Supported: 3, Cells: []pageCell{ // l.388-398
				{"Dixa", sup},
				{"Freshchat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "updated_at", Supported: 4, Cells: []pageCell{ // l.399-411
				{"Dixa", sup},
				{"Pivotal Tracker", sup},
				{"Planhat", sup},
				{"SolarWinds Service Desk", sup},
			}},
			{Field: "username", Supported: 1, Cells: []pageCell{ // l.412-418
				{"Pivotal Tracker", sup},
			}},
		},
	},
	NoBlock: map[string][]string{
		"query": { // l.28-62, under "Show Truto-specific parameters"
			"integrated_account_id",
			"truto_response_format",
			"truto_ignore_remote_data",
			"truto_exclude_fields",
			"remote_query",
		},
		"request":  {"remote_data"},         // l.160-163
		"response": {"etag", "remote_data"}, // l.316-319, l.359-362
	},
	Enums: []pageEnum{
		// l.171-173: "Pivotal Tracker / supported / ownermemberviewer"
		{Field: "roles", SpecPath: "roles[].id", Integration: "Pivotal Tracker", Values: []string{"owner", "member", "viewer"}},
		// l.196-198: "SolarWinds Service Desk / supported / activeinactive"
		{Field: "status", SpecPath: "status", Integration: "SolarWinds Service Desk", Values: []string{"active", "inactive"}},
	},
}

// updateLacksOnPage is what the update page's request body lacks compared
// with the create page's (the create-only fields).
var updateLacksOnPage = []string{"languages", "nick_name", "password", "user_type"}
