# make help — the project's commands. Everything runs inside .venv (Python 3.10, pinned set).
SHELL := /bin/bash
RASA_DATA := --domain domain.yml --data data/nlu data/rules

.PHONY: help install train run cluster cluster-netns shell test eval bench validate check-knowledge staff-user clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install:  ## create .venv (Python 3.10) and install the pinned dependencies
	@bash scripts/setup.sh

train: install  ## train the model if data, domain or config changed
	@source scripts/env.sh && python scripts/train.py

run:  ## install, train if needed, serve Rasa (5005), actions (5055), widget + staff console (8000); logs in var/log/
	@bash scripts/run.sh

cluster: install  ## HAProxy on 5005 before RASA_INSTANCES (2) Rasa instances and action servers, Redis, PostgreSQL; pids in var/run/
	@bash scripts/cluster.sh

cluster-netns: install  ## the cluster on test hosts in network namespaces (LB, two app hosts, DB host), then a failover check (root)
	@bash scripts/netns_demo.sh

shell:  ## talk to the assistant in the terminal (rasa shell, with the action server)
	@bash scripts/shell.sh

test:  ## run every test: knowledge files, units, Rasa data/stories, end to end
	@bash scripts/test.sh

eval:  ## score the held-out sets (questions, conversations, paraphrases, names), then the public examples, against the running bot (make run first)
	@source scripts/env.sh && python scripts/eval.py $(EVAL_ARGS)

bench: install  ## benchmarks beside Rasa's defaults -> reports/benchmark.md (up to ~45 min; BENCH_ARGS="--smoke --out DIR")
	@bash scripts/install_redis.sh && source scripts/env.sh && python -m bench $(BENCH_ARGS)

validate: install  ## rasa data validate
	@source scripts/env.sh && rasa data validate $(RASA_DATA) --config config.yml

check-knowledge: install  ## check the knowledge files against their schema and the policy texts
	@source scripts/env.sh && python -m knowledge

staff-user: install  ## create a staff account: make staff-user NAME=alice ORG=SLUG[,SLUG] [ADMIN=1] (password asked, or read from stdin)
	@source scripts/env.sh && python -m tracking migrate >/dev/null && python -m tracking create-user "$(NAME)" \
		$(if $(ORG),--org "$(ORG)") $(if $(filter 1 yes true,$(ADMIN)),--admin)

clean:  ## remove trained models, caches and logs
	rm -rf models .cache .pytest_cache var/log
