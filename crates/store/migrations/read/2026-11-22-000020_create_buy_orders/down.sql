DROP TABLE buy_orders;
