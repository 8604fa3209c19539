// Generated from docs/openapi.json by scripts/console-api-types.mjs (openapi-typescript).
// Do not edit: run `npm run openapi`.

export interface paths {
    "/api/v1/principals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List principals by name (paged) */
        get: operations["Principals_list"];
        put?: never;
        /**
         * Create a principal
         * @description Auditors and vending clients: 201, active, with a whole enrolment key. Admins, security officers and custodians: 202, pending until a second admin approves the returned request; this answer holds the first part of the key, the approving admin receives the second.
         */
        post: operations["Principals_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/principals/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller: name, roles and scope */
        get: operations["Principals_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/principals/me/api-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replace your own API key; the new key is in this response only
         * @description Also how an enrolment key (one issued by an admin or at installation) is exchanged for a key only its holder knows: the one call an enrolment key is good for.
         */
        post: operations["Principals_rotateOwnKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/principals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a principal */
        get: operations["Principals_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change another principal's roles, scope or state
         * @description Disabling, and changes of auditor or vending-client roles and scopes, apply at once (200). Granting or taking away admin, security-officer or custodian, and re-enabling, wait for a second admin (202 with the request). Nobody changes themselves (403 SELF_CHANGE).
         */
        patch: operations["Principals_update"];
        trace?: never;
    };
    "/api/v1/principals/{id}/api-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Issue a new API key for another principal, through a second admin
         * @description Answers 202 with the first part of the new key and the request; the approving admin receives the second part. The old key works until then. Your own key: POST /principals/me/api-key.
         */
        post: operations["Principals_requestKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in to the console: exchange your API key (Authorization header) for a session
         * @description Sets an HttpOnly, SameSite=Strict cookie for /api; the browser then calls the same routes without the key. Calls that change something carry `csrfToken` in X-CSRF-Token. The session ends after 15 minutes without a request, 12 hours after sign-in, on sign-out, or when the key it was opened with is replaced. Only an API key opens a session.
         */
        post: operations["Sessions_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/current": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The console session of this request, with its CSRF token (404 with an API key) */
        get: operations["Sessions_current"];
        put?: never;
        post?: never;
        /** Sign out: end this console session and remove its cookie */
        delete: operations["Sessions_end"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions/current/renew": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Restart the idle timeout of this console session */
        post: operations["Sessions_renew"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/supply-groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List supply groups in SGC order (paged; vending clients: their scope) */
        get: operations["SupplyGroups_list"];
        put?: never;
        /** Create a supply group (SGC unique, 6 digits) */
        post: operations["SupplyGroups_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/supply-groups/{sgc}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a supply group */
        get: operations["SupplyGroups_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Rename, or change state: active <-> suspended, -> retired (final) */
        patch: operations["SupplyGroups_update"];
        trace?: never;
    };
    "/api/v1/approvals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List approval requests, newest first (paged) */
        get: operations["Approvals_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/approvals/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read an approval request with its exact payload and hash */
        get: operations["Approvals_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/approvals/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve, stating the payload hash you reviewed; at quorum the action runs (once)
         * @description Key and campaign requests are decided by security officers, principal requests by admins (403 FORBIDDEN otherwise). Neither the requester nor the principal a request is about may decide it (403 SELF_APPROVAL). A different hash is 409 PAYLOAD_HASH_MISMATCH. When the action issues an API key in two parts, the answer to the deciding approval carries the second part (`result`), once.
         */
        post: operations["Approvals_approve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/approvals/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a request (not your own, nor one about you); same deciders as approve */
        post: operations["Approvals_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/approvals/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Withdraw your own pending request */
        post: operations["Approvals_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ceremonies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List ceremonies, newest first (who entered which check value; never components) */
        get: operations["Ceremonies_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ceremonies/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a ceremony */
        get: operations["Ceremonies_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ceremonies/{id}/components": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Enter your key component and its check value
         * @description The component goes into the token and is never stored or returned. A component whose check value differs is refused (422 CHECK_VALUE_MISMATCH, nothing stored). The last component combines the key in the token and checks the expected check value.
         */
        post: operations["Ceremonies_submit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ceremonies/{id}/components/{index}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Collect your component of a key generated in the token (once)
         * @description For a ceremony in state "releasing": the custodian named for component {index} receives it with its check value, once; the token destroys its copy and the database records only who collected which check value. The last collection completes the ceremony. Another custodian's component: 403; collected already: 409.
         */
        post: operations["Ceremonies_release"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/ceremonies/{id}/abort": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Abort an open or releasing ceremony: its components are destroyed in the token (and a generated key with them) */
        post: operations["Ceremonies_abort"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List key-encryption keys, oldest first (paged) */
        get: operations["Keks_list"];
        put?: never;
        /** Create a key-encryption key: opens its component ceremony */
        post: operations["Keks_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/keks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a key-encryption key */
        get: operations["Keks_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/supply-groups/{sgc}/vending-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start the next key revision (rotation): ceremony or wrapped import
         * @description Allocates the next KRN (the first revision: `krn` or 1; then +1, wrapping after 9, at most nine live). One revision at a time per supply group: a concurrent request gets 409 REVISION_IN_PROGRESS.
         */
        post: operations["VendingKeys_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List vending keys by SGC, oldest first (paged; metadata and check values only) */
        get: operations["VendingKeys_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a vending key (never its bytes) */
        get: operations["VendingKeys_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys/{id}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Request activation (or rotation, when another revision is active): needs a second officer */
        post: operations["VendingKeys_activate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys/{id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Request suspension of an active key: needs a second officer */
        post: operations["VendingKeys_suspend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys/{id}/reactivate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Request reactivation of a suspended key: needs a second officer */
        post: operations["VendingKeys_reactivate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys/{id}/issue-until": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Request a new issue-until for an active or superseded key (e.g. to run old and new revisions side by side longer): needs a second officer */
        post: operations["VendingKeys_issueUntil"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-keys/{id}/destroy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Request destruction: removes the token object, keeps the record; needs a second officer */
        post: operations["VendingKeys_destroy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List campaigns with their progress, newest first (paged) */
        get: operations["Campaigns_list"];
        put?: never;
        /**
         * Plan a rekey campaign (from and to key parameters)
         * @description STS rules are checked now: 422 STS_SUPPLY_GROUP_NOT_ACTIVE, STS_KEY_NOT_ACTIVE, KRN_NOT_NEXT, STS_CROSS_CLUSTER, STS_KEY_PARAMETER_MISMATCH, STS_KEY_CHANGE_INVALID, STS_EA_NOT_ALLOWED. RO is set when the base date changes. Upload the meter list next.
         */
        post: operations["Campaigns_plan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/meters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Upload the meter list (once) and request approval by a second officer
         * @description Bad rows are reported per row (BAD_IIN, BAD_DRN, BAD_CHECK_DIGIT, BAD_EA, BAD_FIELD_COUNT, DUPLICATE_METER, LINE_TOO_LONG); the rest proceeds. Opens a `campaign.approve` request bound to the list hash.
         */
        put: operations["Campaigns_uploadMeters"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a campaign: state, counts, rate and ETA */
        get: operations["Campaigns_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/results": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream the per-meter results as CSV
         * @description `row,iin,drn,ea,status,reason,token1..token4`, in row order; status issued, failed (reason: a bad-row or STS code), pending or cancelled. Tokens are the key-change tokens the customer enters; they are not keys.
         */
        get: operations["Campaigns_results"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start an approved campaign */
        post: operations["Campaigns_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause a running campaign (chunks in flight finish or roll back) */
        post: operations["Campaigns_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a paused campaign where it stopped */
        post: operations["Campaigns_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/campaigns/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a campaign; what was issued stays in the results, the rest is cancelled */
        post: operations["Campaigns_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/derived-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A meter's decoder key, wrapped under your transport key
         * @description Derived in the token from the vending key (SGC, KRN) and returned only wrapped (RFC 5649, AES key wrap with padding) under your active transport key, with its check value and the key metadata you need (KRN, KEN, base date, vending-key check value). Deterministic: a retry returns the same key.
         */
        post: operations["Vending_derivedKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/tokens/credit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A credit token (class 0, subclasses 0-7 including currency)
         * @description TID: the current minute on the key base date, or the next free minute for this meter.
         */
        post: operations["Vending_credit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/tokens/management": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A management token (class 2, subclasses 0, 1, 2, 5, 6, 7) */
        post: operations["Vending_management"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/tokens/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A meter test / display token (class 1; not encrypted, no TID) */
        post: operations["Vending_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/tokens/key-change": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * The key-change set for one meter (2 or 4 tokens)
         * @description Moves the meter from the key it holds (meter: SGC, KRN, TI, EA) to the target key (SGC, KRN, TI, EA). Sections are encrypted with the current decoder key; RO is set when the base date changes. Enter them first, then tokens made under the new key.
         */
        post: operations["Vending_keyChange"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/issuances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Reprint: earlier token answers by Idempotency-Key or request id
         * @description Give exactly one of idempotencyKey (the Idempotency-Key the tokens were requested with, found while it is kept) or requestId (the X-Request-Id the request was made under). Vending clients find their own issuances (whole tokens); auditors find all, each token masked to its last four digits. Newest first, paged (limit, cursor); none found is an empty list. Every answer returned is audited as a reprint.
         */
        get: operations["Vending_findReprints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending/issuances/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Reprint: an earlier token answer by its issuance id
         * @description Vending clients see their own issuances (whole tokens); auditors see all, each token masked to its last four digits. Every reprint is audited.
         */
        get: operations["Vending_reprint"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-clients/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a vending client profile (vending clients: their own) */
        get: operations["VendingClients_get"];
        /**
         * Set a vending client's profile: allowed subclasses, per-token amount limits, rate
         * @description The principal must have the vending-client role; its supply-group scope is set on the principal.
         */
        put: operations["VendingClients_upsert"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-clients": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List vending client profiles (paged) */
        get: operations["VendingClients_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/vending-clients/{id}/transport-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Load a new transport key for a vending client: opens its component ceremony
         * @description The client's custodians enter their AES components (POST /ceremonies/{id}/components); the combined key is created in the token and becomes the active transport key once its check value matches (the previous one is retired). Derived keys are wrapped under it.
         */
        post: operations["VendingClients_createTransportKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meter-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List registered meters in IIN/DRN order (paged; vending clients: their scope) */
        get: operations["MeterKeys_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meter-keys/counts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many registered meters hold each key revision */
        get: operations["MeterKeys_counts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meter-keys/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register a list of meters and the keys they hold
         * @description Each line is checked (meter number and check digit, an existing key revision, an EA the key allows); bad lines are reported, the rest are registered in batches of 500, each audited (`meter-key.import`) with its line range and the hash of its rows.
         */
        post: operations["MeterKeys_import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meter-keys/{iin}/{drn}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The key a meter is believed to hold, its last key-change set, and the change due */
        get: operations["MeterKeys_get"];
        /**
         * State the key a meter holds (vending clients: keys of their supply groups)
         * @description A meter stated on the target of its open key-change set took it (confirmed); one stated on the key the set moved it from never did (refused: its next purchase with keyChange auto hands out the same set again).
         */
        put: operations["MeterKeys_register"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/meter-keys/{iin}/{drn}/key-change-refusals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report that the meter never took its last key-change set
         * @description The meter moves back to the key the set moved it from; its next purchase with `keyChange: "auto"` hands out the same set again. Reporting it twice answers the same.
         */
        post: operations["MeterKeys_refused"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List audit events with filters, oldest first (cursor pagination) */
        get: operations["Audit_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/checkpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List signed checkpoints */
        get: operations["Audit_checkpoints"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Verify the whole chain, every checkpoint signature and the checkpoint cadence now
         * @description Names the first broken link: its sequence number and why (changed, missing, out of order, a span without a signed checkpoint). The chain must end at the audit head: same last sequence and hash. When intact, `witness` is the newest signed checkpoint: keep it and send it to `POST /audit/verification` next time.
         */
        get: operations["Audit_verify"];
        put?: never;
        /**
         * Verify the chain and prove it extends the signed checkpoint the auditor holds
         * @description As `GET /audit/verification`, and the witness (a checkpoint from an earlier verification) must carry a valid signature by the same key (`KEY_FINGERPRINT_MISMATCH`, `WITNESS_INVALID`) and the chain must hold its hash at its sequence (`WITNESS_MISMATCH`, `WITNESS_BEYOND_END`): a history rewritten in the database, checkpoints re-signed included, fails. When intact, `witness` is the next one to keep.
         */
        post: operations["Audit_verifyWithWitness"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export the trail as JSON Lines (header, events, checkpoints, signed trailer)
         * @description Signs the head as a checkpoint and a trailer stating where the export ends (last sequence and hash, event and checkpoint counts), then streams events 1 to that head. The header and the trailer carry the checkpoint cadence. Verify offline with `verify-audit --public-key audit.pem --fingerprint HEX --witness witness.json export.jsonl` (tools/audit-verifier): a cut tail, a missing trailer, stripped checkpoints or a history that does not extend the witness fail. 503 when the token cannot sign.
         */
        get: operations["Audit_exportLines"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/public-key": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit public key that verifies checkpoint signatures */
        get: operations["Audit_publicKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/key-inventory": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Key inventory: every vending key with SGC, KRN, type, DKGA, state, KCV, dates, custodians and approvers (paged)
         * @description By supply group, then revisions in the order they were made. Custodians are the people who entered components of the key; approvers those who approved an action on it. Never key bytes.
         */
        get: operations["Reports_inventory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/key-inventory.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The whole key inventory as CSV (one line per key, the columns of the JSON report) */
        get: operations["Reports_inventoryCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/custody/verification": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The last custody check: the database’s keys against the token
         * @description Every key the database references (vending keys, key-encryption keys, transport keys, the audit key) must be in the token with the recorded check value and the attributes the service gives such a key; keys in the token that no row accounts for are listed. Vending refuses keys that failed (503 KEY_CUSTODY_FAILED). The service checks at start; 503 while that check has not run (token or database unavailable).
         */
        get: operations["Custody_latest"];
        put?: never;
        /**
         * Run the custody check now
         * @description As `GET /custody/verification`, checked now (e.g. after the token was restored): the result replaces the set of keys vending refuses. Recorded as a `custody.verify` event.
         */
        post: operations["Custody_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Status for monitoring: database, token and HSM self-test; 503 when any is down
         * @description Anyone may call it: the overall status and whether each check passed. The token label, the database type, the self-test report and failure details are at GET /health/details.
         */
        get: operations["Health_check"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health/details": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The full health report for operators; 503 when any check fails
         * @description As GET /health, with the database type, the token label and implementation, the token connection's state (since when, the last fault, reconnections, calls in flight and the p50/p99 latency of recent token calls), the self-test report (token, library, every mechanism and known answer) and failure codes.
         */
        get: operations["Health_details"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics */
        get: operations["Health_scrape"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        CreatePrincipalDto: {
            /** @example alice.officer */
            name: string;
            /**
             * @example [
             *       "security-officer"
             *     ]
             */
            roles: ("admin" | "security-officer" | "custodian" | "vending-client" | "auditor")[];
            /**
             * @description Supply group codes a vending client may reach (vending clients only)
             * @example [
             *       "600727"
             *     ]
             */
            sgcScope?: string[];
        };
        PrincipalWithKeyDto: {
            /** Format: uuid */
            id: string;
            name: string;
            roles: ("admin" | "security-officer" | "custodian" | "vending-client" | "auditor")[];
            sgcScope: string[];
            /**
             * @description pending: created with a role that waits for a second admin
             * @enum {string}
             */
            state: "pending" | "active" | "disabled";
            /** @description Public identifier of the current API key (not a secret) */
            apiKeyId: string;
            /** @description The current key was issued by someone else and has not yet been exchanged by its holder (POST /principals/me/api-key); until then it is good for nothing else */
            enrolmentPending: boolean;
            /** Format: date-time */
            apiKeyCreatedAt: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /**
             * @description The API key, shown once (only a verifier is stored). A key issued to someone else is an enrolment key: its holder exchanges it at POST /principals/me/api-key before anything else.
             * @example sts_0123456789abcdef_…
             */
            apiKey: string;
        };
        PrincipalDto: {
            /** Format: uuid */
            id: string;
            name: string;
            roles: ("admin" | "security-officer" | "custodian" | "vending-client" | "auditor")[];
            sgcScope: string[];
            /**
             * @description pending: created with a role that waits for a second admin
             * @enum {string}
             */
            state: "pending" | "active" | "disabled";
            /** @description Public identifier of the current API key (not a secret) */
            apiKeyId: string;
            /** @description The current key was issued by someone else and has not yet been exchanged by its holder (POST /principals/me/api-key); until then it is good for nothing else */
            enrolmentPending: boolean;
            /** Format: date-time */
            apiKeyCreatedAt: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        ApprovalVoteDto: {
            /** Format: uuid */
            principalId: string;
            /** @enum {string} */
            decision: "approve" | "reject";
            /** Format: date-time */
            at: string;
            /** @description The voter by name (on the list and read routes) */
            principalName?: string;
        };
        ApprovalResultDto: {
            /** Format: uuid */
            principalId: string;
            /** @description The second part of the API key whose issue this approval completed: shown once, to this approver only. The holder joins the first part (given to the requester) and this one, and exchanges the whole at POST /principals/me/api-key. */
            apiKeyPart: string;
        };
        ApprovalDto: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            action: "key.activate" | "key.rotate" | "key.suspend" | "key.reactivate" | "key.destroy" | "key.import" | "key.issue-until" | "campaign.approve" | "principal.create" | "principal.update" | "principal.api-key";
            /** @description The key (or other subject) the action applies to */
            subjectId: string;
            /** @description Exactly what runs when approved: {action, subjectId, params} */
            payload: {
                [key: string]: unknown;
            };
            /** @description SHA-256 of the canonical JSON payload; approvers send it back */
            payloadHash: string;
            /** Format: uuid */
            requestedBy: string;
            /** @description The requester by name (on the list and read routes) */
            requestedByName?: string;
            /** @description Approvals needed besides the requester */
            quorum: number;
            /** @enum {string} */
            state: "pending" | "approved" | "rejected" | "expired" | "cancelled" | "failed";
            votes: components["schemas"]["ApprovalVoteDto"][];
            /** Format: date-time */
            expiresAt: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            decidedAt: string | null;
            /** @description Error code when execution failed */
            failureCode: string | null;
            /** @description In the answer to the approval that ran the action, when it issued something */
            result?: components["schemas"]["ApprovalResultDto"];
        };
        PrincipalKeyPartDto: {
            principal: components["schemas"]["PrincipalDto"];
            /** @description The first part of the holder's API key (`sts_<id>_` and 22 characters), shown once. The approving admin receives the second part; the holder joins them and exchanges the whole at POST /principals/me/api-key. */
            apiKeyPart: string;
            /** @description The request a second admin decides */
            approval: components["schemas"]["ApprovalDto"];
        };
        /** @enum {string} */
        ErrorCode: "VALIDATION_FAILED" | "UNAUTHENTICATED" | "ENROLMENT_REQUIRED" | "FORBIDDEN" | "CSRF_TOKEN_INVALID" | "OUT_OF_SCOPE" | "SELF_APPROVAL" | "SELF_CHANGE" | "NOT_FOUND" | "ALREADY_EXISTS" | "INVALID_STATE" | "REVISION_IN_PROGRESS" | "ALREADY_VOTED" | "APPROVAL_EXPIRED" | "APPROVAL_PENDING" | "PAYLOAD_HASH_MISMATCH" | "CHECK_VALUE_MISMATCH" | "KRN_EXHAUSTED" | "KRN_NOT_NEXT" | "STS_UNSUPPORTED_COMBINATION" | "STS_UNSUPPORTED" | "STS_TID_OUT_OF_RANGE" | "STS_KEY_EXPIRED" | "STS_INVALID_AMOUNT" | "KEY_REFUSED" | "STS_KEY_NOT_ACTIVE" | "STS_KEY_NOT_YET_ACTIVE" | "STS_KEY_ISSUE_PERIOD_ENDED" | "STS_VDDK_KEY_CHANGE_ONLY" | "STS_EA_NOT_ALLOWED" | "STS_KEY_PARAMETER_MISMATCH" | "STS_SUBCLASS_NOT_ALLOWED" | "STS_AMOUNT_LIMIT_EXCEEDED" | "STS_TID_WINDOW_EXHAUSTED" | "STS_CROSS_CLUSTER" | "STS_KEY_CHANGE_INVALID" | "STS_SUPPLY_GROUP_NOT_ACTIVE" | "TRANSPORT_KEY_MISSING" | "IDEMPOTENCY_KEY_REUSED" | "RATE_LIMITED" | "HSM_UNAVAILABLE" | "HSM_KEY_MISSING" | "DATABASE_UNAVAILABLE" | "KEY_CUSTODY_FAILED" | "INTERNAL";
        ErrorResponseDto: {
            /** @example 400 */
            statusCode: number;
            code: components["schemas"]["ErrorCode"];
            /** @example sgc: must be exactly 6 digits */
            message: string;
            /** @description Machine-readable context, e.g. `fields: [{field, message}]` for a 400 */
            details?: {
                [key: string]: unknown;
            };
            /** @description Present on 500 only: quote it to the operator */
            errorId?: string;
        };
        PrincipalListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description By name */
            items: components["schemas"]["PrincipalDto"][];
        };
        UpdatePrincipalDto: {
            roles?: ("admin" | "security-officer" | "custodian" | "vending-client" | "auditor")[];
            sgcScope?: string[];
            /**
             * @description disabled applies at once; active (re-enabling) waits for a second admin
             * @enum {string}
             */
            state?: "active" | "disabled";
        };
        PrincipalChangeRequestedDto: {
            /** @description The principal as it is until approval */
            principal: components["schemas"]["PrincipalDto"];
            approval: components["schemas"]["ApprovalDto"];
        };
        SessionDto: {
            /** Format: uuid */
            id: string;
            /** @description Send it in the X-CSRF-Token header on every call of this session that changes something */
            csrfToken: string;
            /**
             * Format: date-time
             * @description When the session ends unless a request (or a renewal) comes first: 15 minutes idle
             */
            idleExpiresAt: string;
            /**
             * Format: date-time
             * @description When the session ends whatever the activity
             */
            expiresAt: string;
            /** @description The person signed in */
            principal: components["schemas"]["PrincipalDto"];
        };
        CreateSupplyGroupDto: {
            /**
             * @description Supply group code: exactly 6 digits, unique
             * @example 600727
             */
            sgc: string;
            /**
             * @description At least one visible character; no control characters
             * @example Northern region
             */
            name: string;
            /**
             * @description Supply group cluster (key-change moves stay inside one)
             * @example north
             */
            cluster?: string;
        };
        SupplyGroupDto: {
            /** Format: uuid */
            id: string;
            /** @example 600727 */
            sgc: string;
            name: string;
            cluster: string | null;
            /** @enum {string} */
            state: "active" | "suspended" | "retired";
            /**
             * Format: uuid
             * @description Revision being loaded or awaiting activation
             */
            pendingRevisionId: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        SupplyGroupListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description In SGC order */
            items: components["schemas"]["SupplyGroupDto"][];
        };
        UpdateSupplyGroupDto: {
            /** @description At least one visible character; no control characters */
            name?: string;
            /**
             * @description retired is final
             * @enum {string}
             */
            state?: "active" | "suspended" | "retired";
        };
        ApprovalListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description Newest first */
            items: components["schemas"]["ApprovalDto"][];
        };
        ApproveDto: {
            /** @description SHA-256 (hex) of the payload you reviewed; must equal the request's payloadHash */
            payloadHash: string;
        };
        DecisionReasonDto: {
            /** @description No control characters but line breaks */
            reason?: string;
        };
        CeremonyComponentDto: {
            index: number;
            /** Format: uuid */
            custodianId: string;
            kcv: string;
            /** Format: date-time */
            submittedAt: string;
        };
        CeremonyDto: {
            /** Format: uuid */
            id: string;
            /** @enum {string} */
            purpose: "vending-key" | "kek" | "transport-key";
            /**
             * Format: uuid
             * @description The vending key, KEK or client transport key being loaded
             */
            subjectId: string;
            /** @enum {string} */
            algorithm: "DES" | "HMAC" | "AES";
            lengthBytes: number;
            componentCount: number;
            expectedKcv: string;
            /** @description Custodians allowed to enter a component (empty: any); for a generated key, custodian i collects component i */
            custodians: string[];
            /** @enum {string} */
            state: "open" | "releasing" | "completed" | "failed" | "aborted";
            /** Format: uuid */
            openedBy: string;
            components: components["schemas"]["CeremonyComponentDto"][];
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        CeremonyListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description Newest first */
            items: components["schemas"]["CeremonyDto"][];
        };
        SubmitComponentDto: {
            /**
             * @description This custodian's key component, hex. Held in the token, never stored or returned.
             * @example 0123456789abcdef
             */
            component: string;
            /**
             * @description Check value of the component as written on the custodian's form
             * @example d5d44f
             */
            kcv: string;
        };
        ReleasedComponentDto: {
            /** @description Component index (1-based) */
            index: number;
            /** @description The component, hex. Shown once; the token has destroyed its copy. */
            component: string;
            /**
             * @description Check value of the component
             * @example d5d44f
             */
            kcv: string;
        };
        CreateKekDto: {
            /** @example kmc-transfer-2025 */
            name: string;
            /**
             * @description AES key length in bytes
             * @enum {number}
             */
            lengthBytes: 16 | 24 | 32;
            /**
             * @description Check value of the combined KEK (AES: E_K(0^128)[0..3])
             * @example 1a2b3c
             */
            expectedKcv: string;
            componentCount: number;
            /** @description Custodians who may enter components (default: any) */
            custodianIds?: string[];
        };
        KekDto: {
            /** Format: uuid */
            id: string;
            name: string;
            lengthBytes: number;
            /** @enum {string} */
            state: "loading" | "active" | "failed" | "destroyed";
            expectedKcv: string;
            kcv: string | null;
            tokenLabel: string;
            /** Format: uuid */
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        KekCreatedDto: {
            kek: components["schemas"]["KekDto"];
            ceremony: components["schemas"]["CeremonyDto"];
        };
        KekListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description Oldest first */
            items: components["schemas"]["KekDto"][];
        };
        StartRevisionDto: {
            /** @enum {string} */
            keyType: "VDDK" | "VUDK" | "VCDK";
            /**
             * @description Decoder key generation algorithm
             * @enum {string}
             */
            dkga: "02" | "04";
            /** @description DKGA04 (HMAC) key length in bytes, default 32; DKGA02 keys are always 8 */
            keyLengthBytes?: number;
            /**
             * @description Encryption algorithms tokens may use
             * @example [
             *       "07",
             *       "11"
             *     ]
             */
            allowedEas: string[];
            /** @enum {number} */
            baseDate: 1993 | 2014 | 2035;
            /** @description Key expiry number */
            ken: number;
            /** @description First revision of a supply group only (default 1); later revisions take the next KRN */
            krn?: number;
            /** Format: date-time */
            activateAt?: string;
            /**
             * Format: date-time
             * @description No tokens are issued after this time
             */
            issueUntil?: string;
            /** Format: date-time */
            expiresAt?: string;
            /**
             * @description Check value the loaded key must have (6 hex digits)
             * @example a1b2c3
             */
            expectedKcv: string;
            /** @enum {string} */
            loadMethod: "ceremony" | "wrapped-import";
            /** @description ceremony: number of components */
            componentCount?: number;
            /** @description ceremony: the custodians who may enter components (default: any custodian) */
            custodianIds?: string[];
            /**
             * Format: uuid
             * @description wrapped-import: the key-encryption key
             */
            kekId?: string;
            /** @description wrapped-import: RFC 5649 blob under the KEK, hex */
            wrappedKey?: string;
        };
        VendingKeyDto: {
            /** Format: uuid */
            id: string;
            /** @example 600727 */
            sgc: string;
            krn: number;
            /** @enum {string} */
            keyType: "VDDK" | "VUDK" | "VCDK";
            /** @enum {string} */
            dkga: "02" | "04";
            keyLengthBytes: number;
            allowedEas: string[];
            /** @enum {number} */
            baseDate: 1993 | 2014 | 2035;
            ken: number;
            /** Format: date-time */
            activateAt: string | null;
            /** Format: date-time */
            issueUntil: string | null;
            /** Format: date-time */
            expiresAt: string | null;
            /** @enum {string} */
            state: "loading" | "pending-approval" | "active" | "suspended" | "superseded" | "expired" | "destroyed" | "failed";
            /** @description Check value stated when loading started */
            expectedKcv: string;
            /** @description Check value computed by the token */
            kcv: string | null;
            /**
             * @description Check value algorithm
             * @example DES: E_K(0^64)[0..3]; HMAC: HMAC-SHA-256(K, 0^64)[0..3]
             */
            kcvAlgorithm: string;
            /** @description Label of the key object in the token */
            tokenLabel: string;
            /** @enum {string} */
            loadMethod: "ceremony" | "wrapped-import";
            /** Format: uuid */
            supersedesId: string | null;
            /**
             * Format: date-time
             * @description Scheduled supersession
             */
            supersedeAt: string | null;
            /** Format: uuid */
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            destroyedAt: string | null;
        };
        RevisionStartedDto: {
            vendingKey: components["schemas"]["VendingKeyDto"];
            /** @description loadMethod ceremony: custodians enter components here */
            ceremony?: components["schemas"]["CeremonyDto"];
            /** @description loadMethod wrapped-import: the import waits for this */
            approval?: components["schemas"]["ApprovalDto"];
        };
        VendingKeyListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description By SGC, then oldest first */
            items: components["schemas"]["VendingKeyDto"][];
        };
        ActivateDto: {
            /**
             * Format: date-time
             * @description When the key becomes active and its predecessor superseded (default: on approval)
             */
            effectiveAt?: string;
        };
        ReasonDto: {
            /** @description No control characters but line breaks */
            reason: string;
        };
        IssueUntilDto: {
            /** @description No control characters but line breaks */
            reason: string;
            /**
             * Format: date-time
             * @description The new end of issuing under the key: later than now and its activation, not after its expiry. On a superseded revision it lets the key vend beside its successor until then.
             */
            issueUntil: string;
        };
        CampaignKeyParamsDto: {
            /**
             * @description Supply group code, 6 digits
             * @example 123456
             */
            sgc: string;
            /** @description Key revision number */
            krn: number;
            /**
             * @description Tariff index, 2 digits
             * @example 01
             */
            tariffIndex: string;
            /** @enum {number} */
            baseDate: 1993 | 2014 | 2035;
        };
        CreateCampaignDto: {
            /** @description At least one visible character; no control characters */
            name?: string;
            /** @description The key the meters hold now */
            from: components["schemas"]["CampaignKeyParamsDto"];
            /** @description The key the meters move to */
            to: components["schemas"]["CampaignKeyParamsDto"];
            /**
             * @description EA of meters whose row names none
             * @enum {string}
             */
            ea: "07" | "09" | "11";
            /** @default 1000 */
            chunkSize: number;
            /**
             * @description What a chunk that keeps failing (not an outage) does after its last try: `pause` the campaign (resume tries it again), or fail its meters with the reason and `continue`
             * @default pause
             * @enum {string}
             */
            onChunkFailure: "pause" | "continue";
        };
        CampaignSideDto: {
            sgc: string;
            krn: number;
            tariffIndex: string;
            baseDate: number;
            /** Format: uuid */
            vendingKeyId: string;
        };
        CampaignMetersDto: {
            /** @description Whether the meter list has been uploaded */
            uploaded: boolean;
            total: number;
            /** @description Rows refused before any key was used (see the results) */
            badRows: number;
            /** @description SHA-256 of the normalised list */
            sha256: string | null;
            /** @description Listed meters the meter key registry placed on the target key when the list was uploaded (moved at purchase or by the key-change route): the run leaves them alone */
            movedAtUpload: number;
        };
        CampaignStallDto: {
            /**
             * @description no_live_worker: no worker process has heartbeated within the takeover time; hsm_unavailable / database_unavailable: the last attempt at a chunk failed for that outage
             * @enum {string}
             */
            cause: "no_live_worker" | "hsm_unavailable" | "database_unavailable";
            /** Format: date-time */
            since: string;
        };
        CampaignProgressDto: {
            total: number;
            issued: number;
            /** @description Meters the run found on the target key already (moved at purchase): no set issued */
            moved: number;
            /** @description Bad rows, meters refused by a key rule, and the meters of chunks given up */
            failed: number;
            pending: number;
            chunksDone: number;
            chunkCount: number;
            /** @description 0..100 */
            percent: number;
            /** @description Meters per second committed over the recent window (STS_CAMPAIGN_RATE_WINDOW_SECONDS, or since the run last started or resumed if that is later); 0 when nothing moved in it */
            ratePerSecond: number;
            /** @description Seconds left at that rate; null when nothing moves, when stalled, or not running */
            etaSeconds: number | null;
            /** @description Set while a running campaign with work left stands still, with why and since when */
            stalled: components["schemas"]["CampaignStallDto"] | null;
            /** @description Worker processes alive now (null when the campaign is not running) */
            liveWorkers: number | null;
        };
        CampaignDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @enum {string} */
            state: "planned" | "approved" | "running" | "paused" | "completed" | "failed" | "cancelled";
            from: components["schemas"]["CampaignSideDto"];
            to: components["schemas"]["CampaignSideDto"];
            /**
             * @description 1 when the base date changes
             * @enum {number}
             */
            ro: 0 | 1;
            /** @enum {string} */
            ea: "07" | "09" | "11";
            chunkSize: number;
            /** @enum {string} */
            onChunkFailure: "pause" | "continue";
            meters: components["schemas"]["CampaignMetersDto"];
            progress: components["schemas"]["CampaignProgressDto"];
            /** Format: uuid */
            approvalId: string | null;
            /** Format: uuid */
            createdBy: string;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            startedAt: string | null;
            /** Format: date-time */
            finishedAt: string | null;
            /** @description Error code when failed or closed, or of the chunk that made the service pause the campaign */
            failureCode: string | null;
        };
        BadRowDto: {
            /** @description Row number in the list (1 = first row after the header) */
            row: number;
            /** @enum {string} */
            code: "BAD_FIELD_COUNT" | "BAD_IIN" | "BAD_DRN" | "BAD_CHECK_DIGIT" | "BAD_EA" | "DUPLICATE_METER" | "LINE_TOO_LONG";
        };
        MetersUploadedDto: {
            campaign: components["schemas"]["CampaignDto"];
            /** @description The dual-control request a second officer approves */
            approval: components["schemas"]["ApprovalDto"];
            /** @description The first 100 bad rows */
            badRows: components["schemas"]["BadRowDto"][];
        };
        CampaignListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description Newest first */
            items: components["schemas"]["CampaignDto"][];
        };
        MeterKeyDto: {
            /**
             * @description Issuer identification number: 6 digits, or 0000
             * @example 600727
             */
            iin: string;
            /**
             * @description Decoder reference number: 11 digits after a 6-digit IIN, 13 after 0000, Luhn check digit last
             * @example 12345678903
             */
            drn: string;
            /**
             * @description Supply group code of the key the meter holds
             * @example 600727
             */
            sgc: string;
            /** @description Key revision number the meter holds */
            krn: number;
            /**
             * @description Tariff index, 2 digits
             * @example 01
             */
            tariffIndex: string;
            /**
             * @description Encryption algorithm of the meter
             * @enum {string}
             */
            ea: "07" | "09" | "11";
            /**
             * @description Key type the vending system has on record; 422 when it differs from the vending key's
             * @enum {number}
             */
            keyType?: 1 | 2 | 3;
            /**
             * @description Base date the vending system has on record; 422 when it differs from the vending key's
             * @enum {number}
             */
            baseDate?: 1993 | 2014 | 2035;
        };
        DerivedKeyRequestDto: {
            meter: components["schemas"]["MeterKeyDto"];
        };
        MeterRefDto: {
            iin: string;
            drn: string;
        };
        VendingKeyRefDto: {
            /** Format: uuid */
            id: string;
            sgc: string;
            krn: number;
            /** @enum {string} */
            type: "VDDK" | "VUDK" | "VCDK";
            /** @description STS key type of derived keys (1 DDTK, 2 DUTK, 3 DCTK) */
            keyType: number;
            /** @enum {string} */
            dkga: "02" | "04";
            /** @enum {number} */
            baseDate: 1993 | 2014 | 2035;
            /** @description Key expiry number */
            ken: number;
            /** @description Check value of the vending key (computed by the token) */
            kcv: string;
        };
        DerivedKeyDto: {
            meter: components["schemas"]["MeterRefDto"];
            sgc: string;
            krn: number;
            /** @description STS key type (1 DDTK, 2 DUTK, 3 DCTK) */
            keyType: number;
            tariffIndex: string;
            /** @enum {string} */
            ea: "07" | "09" | "11";
            /** @enum {number} */
            baseDate: 1993 | 2014 | 2035;
            /** @description Key expiry number (TID >> 16 must not exceed it) */
            ken: number;
            /**
             * @description RFC 5649 AES key wrap with padding
             * @example AES-KWP
             */
            wrapAlgorithm: string;
            /** @description The decoder key wrapped under your transport key, hex */
            wrappedKey: string;
            /** @description Check value of the decoder key: 3 bytes of E_DK(zero block), hex */
            keyCheckValue: string;
            /** Format: uuid */
            transportKeyId: string;
            transportKeyKcv: string;
            /** @description Check value of the vending key the decoder key was derived from */
            vendingKeyKcv: string;
            vendingKey: components["schemas"]["VendingKeyRefDto"];
        };
        CreditTokenRequestDto: {
            meter: components["schemas"]["MeterKeyDto"];
            /** @description 0 electricity, 1 water, 2 gas, 3 time (units); 4-7 the same in currency */
            subclass: number;
            /**
             * @description Decimal text, more than zero. Units (kWh, m³, …) with at most 1 decimal for subclasses 0-3; currency with at most 5 for 4-7. Encoded rounding up (the customer is never under-credited); the answer says what was encoded (`encodedAmount`).
             * @example 25.6
             */
            amount: string;
            /**
             * @description auto: the token is made under the key the meter key registry says the meter holds; when a key change is due (its revision superseded, or a set it refused), the answer holds the key-change set first and then this token under the new key (docs/meter-keys.md)
             * @enum {string}
             */
            keyChange?: "auto";
        };
        IssuedTokenDto: {
            /**
             * @description 20-digit STS token; in an auditor's reprint masked to its last four digits (****************4509)
             * @example 51638423060042734509
             */
            token: string;
            /** @enum {number} */
            tokenClass: 0 | 1 | 2;
            subclass: number;
            /** @description Token identifier; null for tokens without one (test, key change) */
            tid: number | null;
            /** @example credit: electricity 25.6 */
            description: string;
            /**
             * @description Credit tokens: the amount the token carries, as decimal text (units with 1 decimal, currency with 5): the amount asked for, rounded up to the nearest encodable amount
             * @example 25.6
             */
            encodedAmount?: string;
            /**
             * @description Management tokens: the value the token carries, as decimal text: watts rounded up to the nearest encodable value for subclasses 0 and 6, the value asked for otherwise
             * @example 1000024
             */
            encodedValue?: string;
        };
        KeyChangeDetailsDto: {
            /**
             * @description Rollover: 1 when the base date changes (the meter clears its TID memory)
             * @enum {number}
             */
            ro: 0 | 1;
            /** @description The key the meter moves to */
            newVendingKey: components["schemas"]["VendingKeyRefDto"];
            newTariffIndex: string;
            /** @enum {string} */
            newEa: "07" | "09" | "11";
            /** @description With a purchase: the key the meter held, under which the set is encrypted */
            fromVendingKey?: components["schemas"]["VendingKeyRefDto"];
            /**
             * @description With a purchase: why the key change was due (docs/meter-keys.md)
             * @enum {string}
             */
            reason?: "superseded" | "refused-change";
            /** @description The earlier issuance whose set the meter refused: these are the same key-change tokens again */
            reprintOf?: string;
        };
        KeyChangeDueDto: {
            /** @example 600727 */
            sgc: string;
            /** @example 2 */
            krn: number;
            /** @example 01 */
            tariffIndex: string;
            /** @example 2014 */
            baseDate: number;
            /** @description The target revision */
            vendingKeyId: string;
            /**
             * @description superseded: the meter's revision was superseded; refused-change: a set reported as never entered is due again (the same tokens)
             * @enum {string}
             */
            reason: "superseded" | "refused-change";
            /**
             * @description 1 when the base date changes (rollover)
             * @enum {number}
             */
            ro: 0 | 1;
        };
        TokenIssuanceDto: {
            /**
             * Format: uuid
             * @description Request id of this issuance: reprint with GET /vending/issuances/{id}
             */
            issuanceId: string;
            /** @enum {string} */
            kind: "credit" | "management" | "test" | "key-change";
            /** Format: date-time */
            issuedAt: string;
            meter: components["schemas"]["MeterRefDto"];
            /** @description In the order they must be entered */
            tokens: components["schemas"]["IssuedTokenDto"][];
            /** @description TIDs of the tokens that carry one */
            tids: number[];
            /** @description Check value of the vending key the tokens were made with (null: test tokens) */
            vendingKeyKcv: string | null;
            vendingKey: components["schemas"]["VendingKeyRefDto"] | null;
            keyChange?: components["schemas"]["KeyChangeDetailsDto"];
            /** @description The token was made under a superseded revision: the key change the meter should receive (ask with keyChange 'auto') */
            keyChangeDue?: components["schemas"]["KeyChangeDueDto"];
        };
        ManagementTokenRequestDto: {
            meter: components["schemas"]["MeterKeyDto"];
            /**
             * @description 0 SetMaximumPowerLimit, 1 ClearCredit, 2 SetTariffRate, 5 ClearTamperCondition, 6 SetMaximumPhasePowerUnbalanceLimit, 7 SetWaterMeterFactor
             * @enum {number}
             */
            subclass: 0 | 1 | 2 | 5 | 6 | 7;
            /** @description Watts for 0 and 6; the credit register for 1 (class 0 subclass 0-7, or 65535 for all); raw rate for 2; 0 for 5; raw factor for 7 */
            value: number;
            /**
             * @description auto: the token is made under the key the meter key registry says the meter holds; when a key change is due (its revision superseded, or a set it refused), the answer holds the key-change set first and then this token under the new key (docs/meter-keys.md)
             * @enum {string}
             */
            keyChange?: "auto";
        };
        MeterIdDto: {
            /**
             * @description Issuer identification number: 6 digits, or 0000
             * @example 600727
             */
            iin: string;
            /**
             * @description Decoder reference number: 11 digits after a 6-digit IIN, 13 after 0000, Luhn check digit last
             * @example 12345678903
             */
            drn: string;
        };
        TestTokenRequestDto: {
            /** @description The meter the test token is for (recorded; test tokens are not encrypted) */
            meter: components["schemas"]["MeterIdDto"];
            /**
             * @description 0: 36 control bits and a 2-digit manufacturer code; 1: 28 bits and 4 digits
             * @enum {number}
             */
            subclass: 0 | 1;
            /**
             * @description Test bits as hex: bit n-1 requests test n
             * @example 0x1
             */
            control: string;
            manufacturerCode: number;
        };
        TargetKeyDto: {
            /**
             * @description New supply group code (same cluster)
             * @example 600727
             */
            sgc: string;
            /** @description New key revision number */
            krn: number;
            /**
             * @description New tariff index
             * @example 01
             */
            tariffIndex: string;
            /**
             * @description New encryption algorithm (default: the meter's current one)
             * @enum {string}
             */
            ea?: "07" | "09" | "11";
        };
        KeyChangeRequestDto: {
            /** @description The meter and the key it holds now */
            meter: components["schemas"]["MeterKeyDto"];
            target: components["schemas"]["TargetKeyDto"];
        };
        TokenIssuanceListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description Newest first */
            items: components["schemas"]["TokenIssuanceDto"][];
        };
        UpsertVendingClientDto: {
            /**
             * @description Class 0 subclasses the client may issue (0-7)
             * @example [
             *       0,
             *       4
             *     ]
             */
            creditSubclasses: number[];
            /**
             * @description Class 2 subclasses (0, 1, 2, 5, 6, 7)
             * @example [
             *       0,
             *       5
             *     ]
             */
            managementSubclasses: number[];
            /**
             * @description Class 1 subclasses (0, 1)
             * @example [
             *       0,
             *       1
             *     ]
             */
            testSubclasses: number[];
            /** @description Whether the client may issue key-change sets */
            keyChangeAllowed: boolean;
            /**
             * @description Largest unit credit per token (null: no limit)
             * @example 500
             */
            maxUnitAmount?: string | null;
            /**
             * @description Largest currency credit per token (null: no limit)
             * @example 1000.00
             */
            maxCurrencyAmount?: string | null;
            /**
             * @description Sustained requests per second (per service process)
             * @default 50
             */
            ratePerSecond: number;
            /**
             * @description Requests allowed at once after a quiet period
             * @default 100
             */
            burst: number;
        };
        TransportKeyDto: {
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            principalId: string;
            /** @enum {number} */
            lengthBytes: 16 | 24 | 32;
            /** @enum {string} */
            state: "loading" | "active" | "retired" | "failed";
            expectedKcv: string;
            /** @description Check value computed by the token once loaded */
            kcv: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
        };
        VendingClientDto: {
            /** Format: uuid */
            principalId: string;
            name: string;
            /** @description Supply groups the client may reach (from the principal) */
            sgcScope: string[];
            creditSubclasses: number[];
            managementSubclasses: number[];
            testSubclasses: number[];
            keyChangeAllowed: boolean;
            maxUnitAmount: string | null;
            maxCurrencyAmount: string | null;
            ratePerSecond: number;
            burst: number;
            /** @description The active transport key, if any */
            transportKey: components["schemas"]["TransportKeyDto"] | null;
            /** Format: date-time */
            updatedAt: string;
        };
        VendingClientListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            /** @description In principal id order */
            items: components["schemas"]["VendingClientDto"][];
        };
        CreateTransportKeyDto: {
            /**
             * @description ceremony: the client's custodians enter components they bring. generate: the token generates the key as components; each named custodian collects one (POST /ceremonies/{id}/components/{index}/release).
             * @default ceremony
             * @enum {string}
             */
            method: "ceremony" | "generate";
            /**
             * @description AES key length in bytes
             * @enum {number}
             */
            lengthBytes: 16 | 24 | 32;
            /**
             * @description Check value of the combined transport key (AES: E_K(0^128)[0..3]); required for method "ceremony"
             * @example 1a2b3c
             */
            expectedKcv?: string;
            componentCount: number;
            /** @description Custodians who may enter components (default: any); for method "generate", exactly one per component (custodian i collects component i) */
            custodianIds?: string[];
        };
        TransportKeyCreatedDto: {
            transportKey: components["schemas"]["TransportKeyDto"];
            /** @description The component ceremony: the client's custodians enter their components, or collect the generated ones */
            ceremony: components["schemas"]["CeremonyDto"];
        };
        MeterKeyRefDto: {
            /** @example 600727 */
            sgc: string;
            /** @example 1 */
            krn: number;
            /** @example 01 */
            tariffIndex: string;
            /** @description The vending key revision */
            vendingKeyId: string;
        };
        MeterKeyChangeDto: {
            /** @description The issuance or campaign that holds the key-change set */
            id: string;
            /** @enum {string} */
            state: "issued" | "confirmed" | "refused";
            from: components["schemas"]["MeterKeyRefDto"];
            to: components["schemas"]["MeterKeyRefDto"];
        };
        MeterKeyRecordDto: {
            meter: components["schemas"]["MeterRefDto"];
            /** @example 600727 */
            sgc: string;
            /** @example 1 */
            krn: number;
            /** @example 01 */
            tariffIndex: string;
            /** @enum {number} */
            keyType: 1 | 2 | 3;
            /** @enum {string} */
            ea: "07" | "09" | "11";
            /** @enum {number} */
            baseDate: 1993 | 2014 | 2035;
            vendingKeyId: string;
            /**
             * @description registered: stated by a vending system or an officer; key-change: a key-change set issued by vending; campaign: a rekey campaign; refused: moved back after a reported refusal
             * @enum {string}
             */
            source: "registered" | "key-change" | "campaign" | "refused";
            /** @description The issuance or campaign */
            sourceId: string | null;
            recordedBy: string;
            updatedAt: string;
            lastKeyChange: components["schemas"]["MeterKeyChangeDto"] | null;
            /** @description The key change the meter should receive with its next purchase, if any */
            keyChangeDue: components["schemas"]["KeyChangeDueDto"] | null;
        };
        MeterKeyListDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            items: components["schemas"]["MeterKeyRecordDto"][];
        };
        RevisionMeterCountDto: {
            /** @example 600727 */
            sgc: string;
            /** @example 1 */
            krn: number;
            /** @description Meters the registry places on this revision */
            meters: number;
        };
        BadMeterKeyRowDto: {
            /** @description Line number in the file (header = 1) */
            row: number;
            /** @description The column at fault, or `row` */
            field: string;
            message: string;
        };
        MeterKeyImportDto: {
            /** @description Meter rows read (after the header) */
            rows: number;
            /** @description Rows registered (created or updated) */
            registered: number;
            /** @description Rows refused */
            refused: number;
            /** @description The first 100 refused rows */
            badRows: components["schemas"]["BadMeterKeyRowDto"][];
            /** @description SHA-256 of the registered rows, normalised, one per line */
            sha256: string;
        };
        RegisterMeterKeyDto: {
            /**
             * @description Supply group code of the key the meter holds
             * @example 600727
             */
            sgc: string;
            /** @description Key revision number the meter holds */
            krn: number;
            /**
             * @description Tariff index, 2 digits
             * @example 01
             */
            tariffIndex: string;
            /**
             * @description Encryption algorithm of the meter
             * @enum {string}
             */
            ea: "07" | "09" | "11";
            /**
             * @description Key type on record; 422 when it differs from the vending key's
             * @enum {number}
             */
            keyType?: 1 | 2 | 3;
            /**
             * @description Base date on record; 422 when it differs from the vending key's
             * @enum {number}
             */
            baseDate?: 1993 | 2014 | 2035;
        };
        KeyChangeRefusedDto: {
            /** @description The issuance (`issuanceId`) or campaign whose key-change set the meter never took: must be the last set issued to it */
            changeId: string;
        };
        AuditEventDto: {
            seq: number;
            /** Format: date-time */
            at: string;
            actorId: string;
            actorName: string;
            action: string;
            subjectType: string;
            subjectId: string;
            /** @enum {string} */
            outcome: "success" | "failure";
            requestId: string;
            details: {
                [key: string]: unknown;
            };
            prevHash: string;
            hash: string;
        };
        AuditEventPageDto: {
            items: components["schemas"]["AuditEventDto"][];
            /** @description Pass as `after` for the next page; absent on the last page */
            next?: number;
        };
        AuditCheckpointDto: {
            seq: number;
            hash: string;
            /** Format: date-time */
            at: string;
            keyLabel: string;
            /** @description ECDSA P-256 / SHA-256, IEEE P1363 r||s, hex */
            signature: string;
        };
        AuditCheckpointListDto: {
            items: components["schemas"]["AuditCheckpointDto"][];
        };
        BrokenLinkDto: {
            /** @description The first sequence number at which the chain is broken */
            seq: number;
            /** @enum {string} */
            reason: "SEQUENCE_GAP" | "PREV_HASH_MISMATCH" | "HASH_MISMATCH" | "CHECKPOINT_MISMATCH" | "CHECKPOINT_SIGNATURE_INVALID" | "CHECKPOINT_GAP" | "EVENTS_MISSING_AFTER_LAST" | "HEAD_MISMATCH" | "EVENTS_BEYOND_HEAD" | "WITNESS_MISMATCH" | "WITNESS_BEYOND_END" | "WITNESS_INVALID" | "KEY_FINGERPRINT_MISMATCH";
            message: string;
            /** @description For a wrong end (EVENTS_MISSING_AFTER_LAST, HEAD_MISMATCH, EVENTS_BEYOND_HEAD): the last sequence the audit head (or a checkpoint) states */
            expectedLastSeq?: number;
            /** @description For a wrong end: the last sequence actually present */
            foundLastSeq?: number;
        };
        AuditWitnessDto: {
            /** @enum {string} */
            format: "sts-audit-witness/v1";
            /** @description The event the checkpoint covers */
            seq: number;
            /** @description The hash of that event (SHA-256, hex) */
            hash: string;
            /**
             * Format: date-time
             * @description When the checkpoint was signed
             */
            at: string;
            /** @description ECDSA P-256 / SHA-256, IEEE P1363 r||s, hex */
            signature: string;
            /** @description SHA-256 of the audit key's SPKI DER, hex */
            keyFingerprint: string;
        };
        RecordedRestoreDto: {
            /** @description The `recovery.restored` event */
            seq: number;
            /** Format: date-time */
            at: string;
            /** @description The last event the restored database held */
            restoredHeadSeq: number;
            /** @description The first event of the earlier history that is lost */
            lostFromSeq: number;
            /** @description The last lost event a signed checkpoint of the earlier history proves (the checkpoint sink or an auditor's witness at restore time); null when none was at hand */
            lostThroughSeq: number | null;
        };
        LostWitnessDto: {
            /** @description The witness's event */
            witnessSeq: number;
            /** @description The first lost event */
            fromSeq: number;
            /** @description The last lost event known (at least the witness); later ones unknown */
            throughSeq: number;
            /** @description The restore event that accounts for the loss */
            restoreSeq: number;
            /** Format: date-time */
            restoredAt: string;
        };
        VerificationDto: {
            ok: boolean;
            eventsChecked: number;
            checkpointsChecked: number;
            lastSeq: number;
            /** @description Last event covered by a valid signed checkpoint */
            lastSignedSeq: number;
            firstBroken?: components["schemas"]["BrokenLinkDto"];
            /** @description SHA-256 of the audit key's SPKI DER, hex */
            keyFingerprint: string;
            /** @description When intact: the newest signed checkpoint verified, to keep and send as the body of `POST /audit/verification` next time */
            witness?: components["schemas"]["AuditWitnessDto"];
            /** @description The database restores the chain records (`recovery.restored` events), oldest first */
            restores?: components["schemas"]["RecordedRestoreDto"][];
            /** @description The witness sent lies in events a recorded restore lost: the chain is verified, and the range names what is gone */
            witnessLost?: components["schemas"]["LostWitnessDto"];
        };
        PublicKeyDto: {
            keyLabel: string;
            /** @description SPKI PEM: all an offline verifier needs */
            publicKeyPem: string;
            /** @description SHA-256 of the key's SPKI DER, hex: record it at installation (bootstrap-admin prints it) and verify exports with `--fingerprint` */
            fingerprint: string;
        };
        KeyInventoryRowDto: {
            /** Format: uuid */
            id: string;
            /** @example 600727 */
            sgc: string;
            krn: number;
            /** @enum {string} */
            keyType: "VDDK" | "VUDK" | "VCDK";
            /** @enum {string} */
            dkga: "02" | "04";
            /** @enum {string} */
            state: "loading" | "pending-approval" | "active" | "suspended" | "superseded" | "expired" | "destroyed" | "failed";
            /** @description The token's check value */
            kcv: string | null;
            /** @enum {string} */
            loadMethod: "ceremony" | "wrapped-import";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            activateAt: string | null;
            /** Format: date-time */
            issueUntil: string | null;
            /** Format: date-time */
            expiresAt: string | null;
            /** Format: date-time */
            destroyedAt: string | null;
            /** @description The officer who started the revision */
            requestedBy: string;
            /** @description Who entered components, in order */
            custodians: string[];
            /** @description Who approved actions on the key */
            approvers: string[];
        };
        KeyInventoryDto: {
            /** @description Cursor of the next page (pass it as `cursor`); null on the last page */
            next: string | null;
            items: components["schemas"]["KeyInventoryRowDto"][];
        };
        KeyVerificationDto: {
            /** @enum {string} */
            kind: "vending-key" | "kek" | "transport-key" | "audit-key";
            /** @description The row id (the audit key: its label) */
            id: string;
            /** @description The token label */
            label: string;
            /** @description The row's state */
            state: string;
            /** @description Vending keys: supply group code */
            sgc?: string;
            /** @description Vending keys: key revision number */
            krn?: number;
            ok: boolean;
            /** @enum {string} */
            failure?: "MISSING" | "CHECK_VALUE_MISMATCH" | "ATTRIBUTE_MISMATCH";
            /** @description One line per problem found */
            problems: string[];
        };
        UnexpectedKeyDto: {
            label: string;
            /** @enum {string} */
            algorithm: "DES" | "HMAC" | "AES" | "EC_P256";
            /** @enum {string} */
            usage: "DERIVE" | "UNWRAP" | "WRAP" | "SIGN";
            /** @description Check value computed by the token (6 hex digits) */
            kcv: string;
            /**
             * @description unknown: no row names it; destroyed: its row says it was destroyed or abandoned
             * @enum {string}
             */
            reason: "unknown" | "destroyed";
        };
        CustodySummaryDto: {
            /** @description Keys the database requires in the token */
            referenced: number;
            verified: number;
            failed: number;
            /** @description Keys in the token that no live row accounts for */
            unexpected: number;
        };
        CustodyReportDto: {
            /** @description Every required key verified and nothing unexpected in the token */
            ok: boolean;
            /** Format: date-time */
            checkedAt: string;
            /** @description The token label */
            token: string;
            keys: components["schemas"]["KeyVerificationDto"][];
            unexpected: components["schemas"]["UnexpectedKeyDto"][];
            summary: components["schemas"]["CustodySummaryDto"];
        };
        HealthCheckStatusDto: {
            ok: boolean;
        };
        HealthChecksStatusDto: {
            database: components["schemas"]["HealthCheckStatusDto"];
            /** @description Logged in, the audit key present */
            token: components["schemas"]["HealthCheckStatusDto"];
            /** @description Mechanisms and known answers */
            selfTest: components["schemas"]["HealthCheckStatusDto"];
        };
        HealthStatusDto: {
            /** @enum {string} */
            status: "ok" | "unavailable";
            checks: components["schemas"]["HealthChecksStatusDto"];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    Principals_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Principals_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreatePrincipalDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalWithKeyDto"];
                };
            };
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalKeyPartDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Principals_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Principals_rotateOwnKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalWithKeyDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Principals_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Principals_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdatePrincipalDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalDto"];
                };
            };
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalChangeRequestedDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Principals_requestKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PrincipalKeyPartDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Sessions_start: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Sessions_current: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Sessions_end: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Sessions_renew: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    SupplyGroups_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SupplyGroupListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    SupplyGroups_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSupplyGroupDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SupplyGroupDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    SupplyGroups_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sgc: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SupplyGroupDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    SupplyGroups_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sgc: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateSupplyGroupDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SupplyGroupDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Approvals_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
                state?: "pending" | "approved" | "rejected" | "expired" | "cancelled" | "failed";
                action?: "key.activate" | "key.rotate" | "key.suspend" | "key.reactivate" | "key.destroy" | "key.import" | "key.issue-until" | "campaign.approve" | "principal.create" | "principal.update" | "principal.api-key";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Approvals_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Approvals_approve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ApproveDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Approvals_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DecisionReasonDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Approvals_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DecisionReasonDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Ceremonies_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
                state?: "open" | "releasing" | "completed" | "failed" | "aborted";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CeremonyListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Ceremonies_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CeremonyDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Ceremonies_submit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubmitComponentDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CeremonyDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Ceremonies_release: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                index: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReleasedComponentDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Ceremonies_abort: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CeremonyDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Keks_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KekListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Keks_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateKekDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KekCreatedDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Keks_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KekDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_start: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                sgc: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StartRevisionDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevisionStartedDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
                sgc?: string;
                state?: "loading" | "pending-approval" | "active" | "suspended" | "superseded" | "expired" | "destroyed" | "failed";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VendingKeyListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VendingKeyDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_activate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ActivateDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_suspend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReasonDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_reactivate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReasonDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_issueUntil: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["IssueUntilDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingKeys_destroy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReasonDto"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApprovalDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
                state?: "planned" | "approved" | "running" | "paused" | "completed" | "failed" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_plan: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateCampaignDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_uploadMeters: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description CSV, streamed: header `iin,drn[,ea]`, then one meter a line */
        requestBody: {
            content: {
                "text/csv": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetersUploadedDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_results: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/csv */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_start: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Campaigns_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CampaignDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_derivedKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DerivedKeyRequestDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DerivedKeyDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_credit: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes retries safe: the same key with the same body returns the original answer (same tokens, header Idempotent-Replayed: true); with another body, 409 IDEMPOTENCY_KEY_REUSED. Kept at least 24 h. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreditTokenRequestDto"];
            };
        };
        responses: {
            /** @description The tokens, their TIDs and the vending-key check value */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuanceDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_management: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes retries safe: the same key with the same body returns the original answer (same tokens, header Idempotent-Replayed: true); with another body, 409 IDEMPOTENCY_KEY_REUSED. Kept at least 24 h. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ManagementTokenRequestDto"];
            };
        };
        responses: {
            /** @description The tokens, their TIDs and the vending-key check value */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuanceDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_test: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes retries safe: the same key with the same body returns the original answer (same tokens, header Idempotent-Replayed: true); with another body, 409 IDEMPOTENCY_KEY_REUSED. Kept at least 24 h. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TestTokenRequestDto"];
            };
        };
        responses: {
            /** @description The tokens, their TIDs and the vending-key check value */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuanceDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_keyChange: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes retries safe: the same key with the same body returns the original answer (same tokens, header Idempotent-Replayed: true); with another body, 409 IDEMPOTENCY_KEY_REUSED. Kept at least 24 h. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyChangeRequestDto"];
            };
        };
        responses: {
            /** @description The tokens, their TIDs and the vending-key check value */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuanceDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_findReprints: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
                /** @description The Idempotency-Key the issuance was requested with. Found while the key is kept (STS_VENDING_IDEMPOTENCY_HOURS, at least 24 h); afterwards use the request id or the issuance id. */
                idempotencyKey?: string;
                /** @description The request id the issuance was made under: the X-Request-Id you sent (8-64 of A-Z a-z 0-9 . _ -), or the one the service answered with in X-Request-Id. */
                requestId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuanceListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Vending_reprint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenIssuanceDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Rate limit of the client exceeded; see Retry-After */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingClients_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VendingClientDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingClients_upsert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpsertVendingClientDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VendingClientDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingClients_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VendingClientListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    VendingClients_createTransportKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTransportKeyDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransportKeyCreatedDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    MeterKeys_list: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
                /** @description Only meters on keys of this supply group */
                sgc?: string;
                /** @description Only meters on this KRN (with sgc) */
                krn?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeterKeyListDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    MeterKeys_counts: {
        parameters: {
            query?: {
                /** @description One supply group */
                sgc?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevisionMeterCountDto"][];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    MeterKeys_import: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description CSV, streamed: header naming iin, drn, sgc, krn, tariffIndex, ea; one meter a line */
        requestBody: {
            content: {
                "text/csv": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeterKeyImportDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    MeterKeys_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                iin: string;
                drn: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeterKeyRecordDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    MeterKeys_register: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                iin: string;
                drn: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterMeterKeyDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeterKeyRecordDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description STS or key rule violated */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    MeterKeys_refused: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                iin: string;
                drn: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["KeyChangeRefusedDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MeterKeyRecordDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description State conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Audit_events: {
        parameters: {
            query?: {
                /** @description Cursor: events after this sequence number */
                after?: number;
                limit?: number;
                action?: string;
                actorId?: string;
                subjectId?: string;
                outcome?: "success" | "failure";
                /** @description Events at or after */
                from?: string;
                /** @description Events before */
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventPageDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Audit_checkpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditCheckpointListDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Audit_verify: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Audit_verifyWithWitness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AuditWitnessDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Audit_exportLines: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description JSON Lines */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Audit_publicKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublicKeyDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Reports_inventory: {
        parameters: {
            query?: {
                /** @description Most items in this page */
                limit?: number;
                /** @description Where to continue: the `next` of the previous page, as it was (opaque) */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KeyInventoryDto"];
                };
            };
            /** @description Invalid input; names the field; nothing changed */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Reports_inventoryCsv: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description CSV with a header line: sgc,krn,keyType,dkga,state,kcv,loadMethod,createdAt,activateAt,issueUntil,expiresAt,destroyedAt,requestedBy,custodians,approvers,id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Custody_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustodyReportDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Custody_run: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustodyReportDto"];
                };
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Token or database unavailable; nothing changed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    Health_check: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All checks pass */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthStatusDto"];
                };
            };
            /** @description A check failed */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthStatusDto"];
                };
            };
        };
    };
    Health_details: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All checks pass */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description No or unknown API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Role or scope does not allow this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description A check failed (same body) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    Health_scrape: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
        };
    };
}
