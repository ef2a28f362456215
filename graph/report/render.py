"""Drawing the evidence report: one self-contained HTML page and the same report as Markdown.

The HTML is one file: inline CSS, the forest plot as inline SVG, no scripts, every value
escaped (jinja2 autoescape), because document text is untrusted.  Markdown escapes pipes
and markup the same way.
"""

from __future__ import annotations

import jinja2

from graph.report.model import EvidenceReport

__all__ = ["HTML", "evidence_table_markdown", "markdown", "render_html", "render_markdown"]

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["pct"] = lambda p: f"{p:.1%}"


def render_html(report: EvidenceReport) -> str:
    """One self-contained HTML page (inline CSS and SVG; no scripts, no external requests)."""
    return _ENV.from_string(HTML).render(
        r=report, s=report.synthesis, svg=jinja2.utils.markupsafe.Markup(report.forest_svg)
    )


def render_markdown(report: EvidenceReport) -> str:
    """The same report as Markdown (tables escaped for pipes and markup)."""
    return markdown(report)


HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{ r.title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{border-bottom:2px solid #1f3b73;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left}th{background:#eef2f8}
.supports{color:#2b7a3d;font-weight:bold}.contradicts{color:#c0392b;font-weight:bold}
.cert{display:inline-block;padding:.1em .6em;border-radius:1em;color:#fff;font-weight:bold}
.cert-high{background:#2b7a3d}.cert-moderate{background:#7a9a2b}.cert-low{background:#d48a1a}.cert-very-low{background:#c0392b}
.badge{display:inline-block;background:#fff3cd;border:1px solid #e0c36b;border-radius:.3em;padding:0 .4em;font-size:.85em;margin:.1em 0}
blockquote{margin:.2em 0;padding-left:.6em;border-left:3px solid #bbb;color:#444}
.muted{color:#666;font-size:.9em}.side{display:grid;grid-template-columns:1fr 1fr;gap:0}
</style></head><body>
<h1>{{ r.title }}</h1>
<p class="muted">Generated {{ r.generated }} from the evidence graph. Certainty is rated GRADE-style with the weights shown below.</p>

<h2>Conclusion</h2>
{% for line in r.conclusion %}<p>{{ line }}</p>{% endfor %}
{% for src in r.sources if src.conclusion %}
<p><b>Conclusion of {{ src.title }}:</b></p><blockquote>{{ src.conclusion }}</blockquote>
{% endfor %}

<h2>Claim summaries</h2>
<table><tr><th>Claim</th><th>Direction</th><th>Supporting (weight)</th><th>Contradicting (weight)</th><th>Certainty</th><th>Why</th></tr>
{% for c in [s.overall] + s.claims|list %}
<tr><td>{{ c.claim }}</td><td>{{ c.direction }}</td>
<td>{% for t in c.supporting %}{{ t.name }} ({{ t.weight }})<br>{% endfor %}<b>total {{ c.support_weight }}</b></td>
<td>{% for t in c.contradicting %}{{ t.name }} ({{ t.weight }})<br>{% endfor %}<b>total {{ c.contradict_weight }}</b></td>
<td><span class="cert cert-{{ c.certainty|replace(' ', '-') }}">{{ c.certainty }}</span></td>
<td><ul>{% for reason in c.reasons %}<li>{{ reason }}</li>{% endfor %}{% for n in c.notes %}<li class="muted">{{ n }}</li>{% endfor %}</ul></td></tr>
{% endfor %}</table>

<h2>Incidence by population</h2>
{% if s.overall.pooling.estimates %}
<table><tr><th>Population</th><th>Outcome</th><th>k</th><th>Events / patients</th><th>Proportion (95% CI)</th><th>Method</th><th>I² / τ²</th></tr>
{% for e in s.overall.pooling.estimates %}
<tr><td>{{ e.population }}</td><td>{{ e.outcome }}</td><td>{{ e.k }}</td><td>{{ e.events }} / {{ e.total }}</td>
<td>{{ e.proportion|pct }} ({{ e.low|pct }}–{{ e.high|pct }})</td><td>{{ e.method }}</td>
<td>{% if e.i2 is not none %}{{ e.i2|pct }} / {{ '%.3f'|format(e.tau2) }}{% else %}—{% endif %}</td></tr>
{% for st in e.studies %}<tr class="muted"><td colspan="3">&nbsp;&nbsp;{{ st.study }}</td><td colspan="4">{{ st.text }}{% if st.derivation %} — derived: {{ st.derivation }}{% endif %}</td></tr>{% endfor %}
{% endfor %}</table>
{{ svg }}
<p class="muted">Populations are pooled apart. Several studies in one population are pooled by random effects (DerSimonian–Laird) on the logit scale; a single study shows its Wilson interval. Counts marked derived were computed from a percentage and its denominator; they were not reported.</p>
{% else %}<p>No study reports a proportion with a known number of patients.</p>{% endif %}
{% if s.overall.pooling.unpooled %}
<p><b>Numbers not pooled:</b></p><ul>{% for u in s.overall.pooling.unpooled %}<li>{{ u.study }}: {{ u.figure.get('name') or u.figure.get('value') }} — {{ u.reason }}</li>{% endfor %}</ul>
{% endif %}

<h2>Conflicts</h2>
{% for c in s.conflicts %}
<table><tr><th style="width:16%"></th><th class="supports" style="width:42%">Supports: {{ c.supporting.name }}</th><th class="contradicts">Contradicts: {{ c.contradicting.name }}</th></tr>
{% for d in c.differences %}<tr><td>{{ d.attribute }}</td><td>{{ d.supporting }}</td><td>{{ d.contradicting }}</td></tr>{% endfor %}
{% if c.same %}<tr class="muted"><td>same</td><td colspan="2">{{ c.same|join(', ') }}</td></tr>{% endif %}
{% if c.not_recorded %}<tr class="muted"><td>not recorded</td><td colspan="2">{{ c.not_recorded|join(', ') }}</td></tr>{% endif %}
</table>
{% else %}<p>No supporting and contradicting evidence disagree on this link.</p>{% endfor %}

<h2>Evidence table</h2>
<table><tr><th>Stance</th><th>Study / guideline</th><th>Design</th><th>Weight</th><th>n</th><th>Population</th><th>Claim</th><th>Figures</th><th>Quote</th><th>Source</th></tr>
{% for row in r.rows %}
<tr><td class="{{ row.stance }}">{{ row.stance }}</td>
<td>{{ row.name }}{% for l in row.links %}<br><a href="{{ l.url }}">{{ l.label }}</a>{% endfor %}{% for b in row.curation %}<br><span class="badge">{{ b }}</span>{% endfor %}</td>
<td>{{ row.design }}</td><td>{{ row.weight }}</td><td>{{ row.n if row.n is not none else '' }}</td><td>{{ row.population }}</td><td>{{ row.claim }}</td>
<td>{% for f in row.figures %}{{ f }}<br>{% endfor %}</td>
<td>{% for q in row.quotes %}<blockquote>{{ q }}</blockquote>{% endfor %}</td><td>{{ row.sources|join('; ') }}</td></tr>
{% endfor %}</table>
{% if r.rejected %}
<p><b>Rejected by a curator</b> (not counted):</p>
<table><tr><th>Stance</th><th>Study / guideline</th><th>Claim</th><th>Quote</th><th>Curation</th></tr>
{% for row in r.rejected %}<tr><td><s>{{ row.stance }}</s></td><td>{{ row.name }}</td><td>{{ row.claim }}</td><td>{{ row.quotes|join(' ') }}</td><td><span class="badge">{{ row.curation|join(' ') }}</span></td></tr>{% endfor %}
</table>{% endif %}

<h2>Recommendations</h2>
{% for rec in r.recommendations %}<p><b>{{ rec.source }}</b>{% if rec.strength %} ({{ rec.strength }}){% endif %}:</p><blockquote>{{ rec.text or '' }}</blockquote>
{% else %}<p>No recommendation in the graph.</p>{% endfor %}

<h2>How evidence is weighed</h2>
<table><tr><th>Design</th><th>Weight</th><th>Certainty starts at</th><th>n counted</th><th>Recognised by</th></tr>
{% for w in r.weights %}<tr><td>{{ w.design }}</td><td>{{ w.weight }}</td><td>{{ w.start }}</td><td>{{ 'yes' if w.counts_patients else 'no' }}</td><td class="muted">{{ w.matches }}</td></tr>{% endfor %}</table>
<p class="muted">Weight = design weight × size factor (primary studies:
{% for b in s.weights.size_factors %}n &lt; {{ b.below if b.below is not none else '∞' }} → ×{{ b.factor }}{{ ', ' if not loop.last }}{% endfor %}; n unknown → ×{{ s.weights.unknown_size_factor }}).
Rated down: imprecision below {{ s.weights.rating_down.imprecision.serious_below_n }} patients (two levels below {{ s.weights.rating_down.imprecision.very_serious_below_n }}); inconsistency when the disagreeing side carries ≥ {{ s.weights.rating_down.inconsistency.contradicting_weight_share|pct }} of the weight or I² &gt; {{ s.weights.rating_down.inconsistency.i2_above|pct }}; indirectness when less than {{ s.weights.rating_down.indirectness.direct_weight_share|pct }} of the weight is from the population asked about. Rated up for a large effect (lower 95% bound ≥ {{ s.weights.rating_up.large_effect.min_lower_bound|pct }}) only when nothing was rated down. Source: graph/data/evidence_weights.yaml.</p>

{% if r.corrections %}
<h2>Curation log</h2>
<table><tr><th>Action</th><th>Edge</th><th>Curator</th><th>Date</th><th>Reason</th></tr>
{% for c in r.corrections %}<tr><td>{{ c.action }}{% if c.new_type %} → {{ c.new_type.value }}{% endif %}</td><td>{{ c.edge or (c.source ~ ' ' ~ c.type.value ~ ' ' ~ c.target) }}</td><td>{{ c.curator }}</td><td>{{ c.date }}</td><td>{{ c.reason or '' }}</td></tr>{% endfor %}
</table>{% endif %}

<h2>Sources</h2>
<ul>{% for src in r.sources %}<li>{% if src.url %}<a href="{{ src.url }}">{{ src.title }}</a>{% else %}{{ src.title }}{% endif %} <span class="muted">({{ src.kind }}; {{ src.id }})</span></li>{% endfor %}
{% for row in r.rows if row.links %}<li>{{ row.name }}: {% for l in row.links %}<a href="{{ l.url }}">{{ l.url }}</a> {% endfor %}</li>{% endfor %}</ul>
</body></html>
"""


def _md(text: object) -> str:
    """Escape text for a Markdown table cell or paragraph: no markup, no raw HTML, no row breaks."""
    out = str(text if text is not None else "")
    out = out.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "|*_`[]#":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def markdown(r: EvidenceReport) -> str:
    s = r.synthesis
    lines = [f"# {_md(r.title)}", "", f"_Generated {r.generated} from the evidence graph._", "", "## Conclusion", ""]
    lines += [_md(line) + "\n" for line in r.conclusion]
    for src in r.sources:
        if src.conclusion:
            lines += [f"**Conclusion of {_md(src.title)}:**", "", "> " + _md(src.conclusion), ""]
    lines += [
        "## Claim summaries",
        "",
        "| Claim | Direction | Supporting | Contradicting | Certainty | Why |",
        "|---|---|---|---|---|---|",
    ]
    for c in (s.overall, *s.claims):
        sup = "; ".join(f"{_md(t.name)} ({t.weight:g})" for t in c.supporting) + f" — total {c.support_weight:g}"
        con = "; ".join(f"{_md(t.name)} ({t.weight:g})" for t in c.contradicting) + f" — total {c.contradict_weight:g}"
        why = "<br>".join(_md(x) for x in c.reasons)
        lines.append(f"| {_md(c.claim)} | {c.direction} | {sup} | {con} | **{c.certainty}** | {why} |")
    lines += ["", "## Incidence by population", ""]
    if s.overall.pooling.estimates:
        lines += [
            "| Population | Outcome | k | Events / patients | Proportion (95% CI) | Method | I² |",
            "|---|---|---|---|---|---|---|",
        ]
        for e in s.overall.pooling.estimates:
            i2 = f"{e.i2:.0%}" if e.i2 is not None else "—"
            lines.append(
                f"| {_md(e.population)} | {e.outcome} | {e.k} | {e.events} / {e.total} | "
                f"{e.proportion:.1%} ({e.low:.1%}–{e.high:.1%}) | {_md(e.method)} | {i2} |"
            )
        lines.append("")
        for e in s.overall.pooling.estimates:
            for st in e.studies:
                derived = f" — derived: {_md(st.derivation)}" if st.derivation else ""
                lines.append(f"- {_md(e.population)}: {_md(st.study)} {_md(st.text)}{derived}")
    else:
        lines.append("No study reports a proportion with a known number of patients.")
    lines += ["", "## Conflicts", ""]
    for c in s.conflicts:
        lines += [
            f"| | Supports: {_md(c.supporting.name)} | Contradicts: {_md(c.contradicting.name)} |",
            "|---|---|---|",
        ]
        lines += [f"| {d.attribute} | {_md(d.supporting)} | {_md(d.contradicting)} |" for d in c.differences]
        lines.append("")
    lines += ["## Evidence table", "", evidence_table_markdown(r), ""]
    lines += ["## Recommendations", ""]
    for rec in r.recommendations:
        strength = f" ({_md(rec.strength)})" if rec.strength else ""
        lines.append(f"- **{_md(rec.source)}**{strength}: {_md(rec.text)}")
    lines += [
        "",
        "## How evidence is weighed",
        "",
        "| Design | Weight | Certainty starts at | n counted |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {_md(w.design)} | {w.weight:g} | {w.start} | {'yes' if w.counts_patients else 'no'} |" for w in r.weights
    ]
    if r.corrections:
        lines += ["", "## Curation log", "", "| Action | Edge | Curator | Date | Reason |", "|---|---|---|---|---|"]
        for c in r.corrections:
            edge = c.edge or f"{c.source} {c.type.value if c.type else ''} {c.target}"
            lines.append(f"| {c.action} | {_md(edge)} | {_md(c.curator)} | {c.date} | {_md(c.reason)} |")
    lines += ["", "## Sources", ""]
    for src in r.sources:
        lines.append(f"- {_md(src.title)} ({_md(src.kind)}; {_md(src.id)})" + (f" <{src.url}>" if src.url else ""))
    for row in r.rows:
        for link in row.links:
            lines.append(f"- {_md(row.name)}: <{link.url}>")
    return "\n".join(lines) + "\n"


def evidence_table_markdown(r: EvidenceReport) -> str:
    """The evidence table alone, as Markdown (also printed by ``evx report --table``)."""
    lines = [
        "| Stance | Study / guideline | Design | Weight | n | Population | Figures | Quote | Curation |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in r.rows:
        lines.append(
            f"| {row.stance} | {_md(row.name)} | {_md(row.design)} | {row.weight:g} | {row.n if row.n is not None else ''} | "
            f"{_md(row.population)} | {'<br>'.join(_md(f) for f in row.figures)} | "
            f"{'<br>'.join(_md(q) for q in row.quotes)} | {'<br>'.join(_md(b) for b in row.curation)} |"
        )
    for row in r.rejected:
        lines.append(
            f"| ~~{row.stance}~~ | {_md(row.name)} | {_md(row.design)} | 0 | | {_md(row.population)} | | "
            f"{'<br>'.join(_md(q) for q in row.quotes)} | {'<br>'.join(_md(b) for b in row.curation)} |"
        )
    return "\n".join(lines)
