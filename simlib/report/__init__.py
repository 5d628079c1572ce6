"""Report building blocks used by the parameterised notebooks in `notebooks/`; the notebooks
only call these, so every report is made by library code.

- `charts`          line charts readable in black and white (direct labels, targets, small multiples);
                    the shared style (greys, hatches, rc settings) is `simlib.chart_style`
- `bars`            bar charts in the same style (grouped, stacked, horizontal, panels with a target)
- `deprivation`     the deprivation section (`deprivation_tables`: tables and sentences,
                    `deprivation_charts`: its charts)
- `html`            self-contained HTML blocks and page (no scripts, charts as PNG data URIs)
- `data`            summaries of a run's tidy tables: series with spread, headline, scorecard
- `tables`          tables for people and their CSV + XLSX export
- `scenario_report` the scenario report, one function per section
- `compare`         the comparison of several runs
- `explore`         the explorer's allocation arithmetic and scenario writing (widgets: `simlib.workbench`)
- `baseline`        the baseline dataset at a glance, published vs estimated
- `render`          papermill execution and nbconvert HTML with the code hidden
- `index`           the batch's index.html
- `lab`             report notebooks read in JupyterLab: styles, plain error messages, scenario list
"""
