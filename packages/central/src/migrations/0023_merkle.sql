-- The transparency log of evidence (issue 8): every accepted bundle is one leaf of an RFC 6962
-- Merkle tree, in acceptance order. Append-only, like the evidence it covers.
CREATE TABLE merkle_leaves (
  leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  seq bigint NOT NULL,
  bundle_hash text NOT NULL UNIQUE,
  appended_at timestamptz NOT NULL,
  UNIQUE (appliance_id, seq)
);

-- The root of every complete, aligned subtree: node (level, i) covers leaves [i * 2^level, (i + 1) * 2^level).
-- Level 0 holds the leaf hashes. Any tree head or proof needs O(log n) of these, never a scan.
CREATE TABLE merkle_nodes (
  level smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
  node_index bigint NOT NULL CHECK (node_index >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, node_index)
);

-- Signed tree heads. The RFC 3161 timestamp (or the error getting it) is filled in once, afterwards.
CREATE TABLE tree_heads (
  tree_size bigint PRIMARY KEY CHECK (tree_size >= 1),
  root_hash text NOT NULL,
  issued_at timestamptz NOT NULL,
  signature text NOT NULL,
  key_id text NOT NULL,
  tsa_token bytea,
  tsa_time timestamptz,
  tsa_error text,
  CHECK ((tsa_token IS NULL) = (tsa_time IS NULL))
);

CREATE TRIGGER merkle_leaves_no_update_delete BEFORE UPDATE OR DELETE ON merkle_leaves
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER merkle_leaves_no_truncate BEFORE TRUNCATE ON merkle_leaves
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER merkle_nodes_no_update_delete BEFORE UPDATE OR DELETE ON merkle_nodes
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- A tree head's only permitted update: the timestamp columns, from all empty to filled, once.
CREATE FUNCTION tree_heads_fill_timestamp_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.tree_size = OLD.tree_size AND NEW.root_hash = OLD.root_hash AND NEW.issued_at = OLD.issued_at
    AND NEW.signature = OLD.signature AND NEW.key_id = OLD.key_id
    AND OLD.tsa_token IS NULL AND OLD.tsa_time IS NULL AND OLD.tsa_error IS NULL
    AND (NEW.tsa_token IS NOT NULL OR NEW.tsa_error IS NOT NULL) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'tree_heads is append-only: only an empty timestamp may be filled, once'
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER tree_heads_timestamp_once BEFORE UPDATE ON tree_heads
  FOR EACH ROW EXECUTE FUNCTION tree_heads_fill_timestamp_once();
CREATE TRIGGER tree_heads_no_delete BEFORE DELETE ON tree_heads
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER tree_heads_no_truncate BEFORE TRUNCATE ON tree_heads
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();
