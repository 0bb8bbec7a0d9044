"""D2 checklist as the ANS D2 guide states it

The continuity profile gains the facts the guide's prerequisites and objectives ask for
(D2.P1–D2.O4): the project organisation without a named lead, the governance scheme, incident
reporting in the crisis procedures, the BIA perimeters that do not exist, the 66 % rule of
multi-entity candidatures, outsourced backups and their contract clauses, the backup
authentication in its parts (independent system, least privilege, MFA "if the product allows
it", the dedicated directory's ADS level), the red button (« isolables ») and the two dated
trajectories (segmentation, 3-2-1) with the protected copy's three facts, and the business
referent of the restore test.

Old answers that stated two facts at once carry only what they certainly meant:
- « politique écrite, plans à jour » yes → plans up to date (D2.O2.b) and the policy still
  stated; the policy's review date (D2.O2.a) is asked;
- « sauvegardes isolées » yes → isolable yes (isolated backups can be isolated); a no says
  nothing about the red button: not carried;
- « 3-2-1 avec une copie immuable ou hors ligne » yes → 3-2-1 reached; which protection the copy
  has is asked again (the guide wants immutable AND offline or off-site);
- « propre authentification et MFA » yes → MFA yes; the independent system and least
  privilege are asked again.
The downgrade puts back the three old columns from the same facts. The checklist now has 16
items instead of 14: run `flask --app careapp rollups refresh` after upgrading so that the
stored D2 figures of the dashboards are recomputed.

Revision ID: c3d2e1f0a9b8
Revises: a2afee67b70e
Create Date: 2026-11-29 20:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c3d2e1f0a9b8'
down_revision = 'a2afee67b70e'
branch_labels = None
depends_on = None

BOOLEANS = ("continuity_organisation", "governance_scheme", "crisis_reporting_defined",
            "multi_entity", "backup_plans_up_to_date", "backup_outsourced", "backup_contract_clauses",
            "backup_least_privilege", "backup_isolable", "backup_copy_immutable",
            "backup_copy_offline", "backup_copy_offsite", "business_referent")


def _enum(*values):
    return sa.Enum(*values, native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table('continuity_profiles', schema=None) as batch_op:
        for name in BOOLEANS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('absent_perimeters', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('backup_policy_reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('pcra_activity_share', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('field_test_activity_share', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('backup_auth', _enum('production_ad', 'local_accounts',
                                                           'dedicated_ad'), nullable=True))
        batch_op.add_column(sa.Column('backup_ads_level', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('backup_mfa', _enum('yes', 'no', 'unsupported'),
                                      nullable=True))
        batch_op.add_column(sa.Column('backup_segmentation', _enum('none', 'planned', 'reached'),
                                      nullable=True))
        batch_op.add_column(sa.Column('backup_segmentation_milestone_on', sa.Date(),
                                      nullable=True))
        batch_op.add_column(sa.Column('backup_321', _enum('none', 'planned', 'reached'),
                                      nullable=True))
        batch_op.add_column(sa.Column('backup_321_milestone_on', sa.Date(), nullable=True))
    profiles = sa.table('continuity_profiles', sa.column('absent_perimeters', sa.JSON()),
                        sa.column('backup_isolated', sa.Boolean()),
                        sa.column('backup_isolable', sa.Boolean()),
                        sa.column('backup_321_offline', sa.Boolean()),
                        sa.column('backup_321', sa.String()),
                        sa.column('backup_own_auth_mfa', sa.Boolean()),
                        sa.column('backup_mfa', sa.String()),
                        sa.column('backup_policy', sa.Boolean()),
                        sa.column('backup_plans_up_to_date', sa.Boolean()))
    op.execute(profiles.update().values(absent_perimeters=[]))
    op.execute(profiles.update().where(profiles.c.backup_policy.is_(True))
               .values(backup_plans_up_to_date=True))
    op.execute(profiles.update().where(profiles.c.backup_isolated.is_(True))
               .values(backup_isolable=True))
    op.execute(profiles.update().where(profiles.c.backup_321_offline.is_(True))
               .values(backup_321='reached'))
    op.execute(profiles.update().where(profiles.c.backup_own_auth_mfa.is_(True))
               .values(backup_mfa='yes'))
    with op.batch_alter_table('continuity_profiles', schema=None) as batch_op:
        batch_op.alter_column('absent_perimeters', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('backup_isolated')
        batch_op.drop_column('backup_321_offline')
        batch_op.drop_column('backup_own_auth_mfa')


def downgrade():
    with op.batch_alter_table('continuity_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backup_isolated', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('backup_321_offline', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('backup_own_auth_mfa', sa.Boolean(), nullable=True))
    profiles = sa.table('continuity_profiles', sa.column('backup_isolated', sa.Boolean()),
                        sa.column('backup_isolable', sa.Boolean()),
                        sa.column('backup_321_offline', sa.Boolean()),
                        sa.column('backup_321', sa.String()),
                        sa.column('backup_own_auth_mfa', sa.Boolean()),
                        sa.column('backup_mfa', sa.String()),
                        sa.column('backup_auth', sa.String()),
                        sa.column('backup_copy_immutable', sa.Boolean()),
                        sa.column('backup_copy_offline', sa.Boolean()),
                        sa.column('backup_copy_offsite', sa.Boolean()))
    op.execute(profiles.update().where(profiles.c.backup_isolable.is_(True))
               .values(backup_isolated=True))
    # only what the old two-fact answers said: a reached 3-2-1 with an immutable, offline or
    # off-site copy; MFA on an authentication of the backups' own
    copy = sa.and_(profiles.c.backup_copy_immutable.is_(True),
                   sa.or_(profiles.c.backup_copy_offline.is_(True),
                          profiles.c.backup_copy_offsite.is_(True)))
    op.execute(profiles.update().where(profiles.c.backup_321 == 'reached', copy)
               .values(backup_321_offline=True))
    op.execute(profiles.update().where(profiles.c.backup_mfa == 'yes',
                                       profiles.c.backup_auth != 'production_ad')
               .values(backup_own_auth_mfa=True))
    with op.batch_alter_table('continuity_profiles', schema=None) as batch_op:
        for name in ('backup_321_milestone_on', 'backup_321', 'backup_segmentation_milestone_on',
                     'backup_segmentation', 'backup_mfa', 'backup_ads_level', 'backup_auth',
                     'field_test_activity_share', 'pcra_activity_share',
                     'backup_policy_reviewed_on', 'absent_perimeters',
                     *reversed(BOOLEANS)):
            batch_op.drop_column(name)
