# The two commands of the README, plus a few shortcuts.
.PHONY: run test setup fmt
run:
	scripts/run.sh
test:
	scripts/test.sh
setup:
	scripts/setup.sh --browser
fmt:
	cargo fmt --all
