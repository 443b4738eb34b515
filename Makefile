# Baolei: `make demo` sets up and serves the demo; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BAOLEI := $(BIN)/baolei
VENDOR := src/baolei/static/vendor

.PHONY: demo test test-fast lint format assets messages setup-demo serve chromium pdf clean bench

demo: $(VENV)/.installed assets messages pdf setup-demo serve

test: $(VENV)/.dev-installed assets messages pdf chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the browser tests and the full national load.
test-fast: $(VENV)/.dev-installed assets messages pdf
	$(BIN)/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Front-end libraries from the npm registry, pinned by package-lock.json, copied into
# the static files: the site never loads anything from a CDN.
assets: $(VENDOR)/.copied

$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --silent --ignore-scripts
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/bulma/css/bulma.min.css $(VENDOR)/bulma.min.css
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js $(VENDOR)/swagger-ui-bundle.js
	cp node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui.css
	# The stylesheet names its source map, which collectstatic's manifest must find.
	cp node_modules/swagger-ui-dist/swagger-ui.css.map $(VENDOR)/swagger-ui.css.map
	cp node_modules/swagger-ui-dist/NOTICE $(VENDOR)/NOTICE.swagger-ui-dist
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt $(VENDOR)/
	for pkg in htmx.org echarts bulma swagger-ui-dist; do cp node_modules/$$pkg/LICENSE $(VENDOR)/LICENSE.$$pkg; done
	touch $@

messages: $(VENV)/.installed
	$(BAOLEI) compile-translations

setup-demo: $(VENV)/.installed assets messages
	$(BAOLEI) migrate --noinput
	$(BAOLEI) load-regions
	$(BAOLEI) setup-demo
	$(BAOLEI) collectstatic --noinput --verbosity 0

serve: $(VENV)/.installed
	$(BAOLEI) serve

# The village reports' PDFs are drawn by WeasyPrint, which needs Debian's Pango and a Chinese
# font (else Chinese prints as boxes); the tests read the PDFs back with poppler's pdftotext.
pdf:
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && fc-list :lang=zh | grep -q . && command -v pdftotext >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei poppler-utils >/dev/null; \
	  else \
	    echo "The village reports (PDF) need Pango, a Chinese font and pdftotext: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei poppler-utils" >&2; exit 1; \
	  fi; }

# The end-to-end tests drive Debian's Chromium, with a Chinese font (without one the text is
# drawn as narrow boxes and a page that overflows on a phone looks as if it fits).
chromium:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium and a Chinese font: sudo apt-get install chromium fonts-wqy-microhei" >&2; exit 1; \
	  fi; }

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/load_regions.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
