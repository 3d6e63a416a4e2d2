"""The roster at the size of all of Taiwan: reading a contact's unit stays an index lookup."""
from __future__ import annotations

from sqlalchemy import insert, select, text as sql

from bot.context import _contact_query
from models.roster import District, Unit

TOWNSHIPS, UNITS_EACH = 368, 15  # about 5,500 units, as for every township of Taiwan


def test_a_contacts_unit_is_read_by_index_with_every_township_seeded(services) -> None:
    # Each unit loaded asks whether another unit of its district has the same short name (two 家服中心):
    # without an index that question scanned every unit in the country for each command.
    with services.db.transaction() as session:
        session.execute(insert(District), [{"city": "全國", "name": f"第{n}區"} for n in range(TOWNSHIPS)])
        ids = session.scalars(select(District.id).where(District.city == "全國")).all()
        session.execute(insert(Unit), [
            {"district_id": d, "name": f"單位{u}", "short_name": f"簡{u}", "network": "police", "is_secretariat": False,
             "is_city_level": False, "aliases": "", "position": u} for d in ids for u in range(UNITS_EACH)])
    with services.db.transaction() as session:
        session.execute(sql("ANALYZE"))
        query = str(_contact_query().params(user_id="U0").compile(dialect=session.get_bind().dialect,
                                                                  compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if services.db.is_postgres else "EXPLAIN QUERY PLAN "
        plan = "\n".join(str(row[-1]) for row in session.execute(sql(explain + query)))
    assert "ix_units_district_short_name" in plan, plan
