-- Row-level security: the database keeps each tenant's rows apart a second
-- time, behind the filter every query already has. A connection sees and
-- changes only the rows of the tenant named by its `ordo.tenant` setting,
-- or every row when it says '*' (platform work). The store sets it each
-- time it hands out a connection (ordo-store/src/scope.rs); a connection
-- that was never told (unset: NULL) sees no tenant row at all.
--
-- FORCE makes the policy bind the tables' owner too, since the application
-- usually owns its schema; only a superuser or a BYPASSRLS role escapes it,
-- and the server warns when it connects as one. Referential checks and
-- cascades run below row security, as PostgreSQL defines them.
--
-- Every table with a tenant_id column, and the tenants table by its id. A
-- later migration that adds a tenant table adds its policy the same way;
-- the store test `every_tenant_table_has_a_forced_policy` fails otherwise.
DO $$
DECLARE
    r RECORD;
BEGIN
    FOR r IN
        SELECT c.table_name AS tbl, c.column_name AS col
        FROM information_schema.columns c
        JOIN information_schema.tables t
          ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = current_schema()
          AND t.table_type = 'BASE TABLE'
          AND (c.column_name = 'tenant_id' OR (c.table_name = 'tenants' AND c.column_name = 'id'))
        ORDER BY c.table_name
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', r.tbl);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', r.tbl);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING '
            '(current_setting(''ordo.tenant'', true) = ''*'' OR %I = current_setting(''ordo.tenant'', true))',
            r.tbl, r.col);
    END LOOP;
END
$$;
