"""Which model renders a values file: the known charts are recognised by their values schema.

* vLLM production-stack (``production_stack``).
* The vLLM project's example chart (``vllm_chart``): ``image.command`` is the whole argv.
* KubeAI's models chart (``kubeai_catalog``): ``catalog.<name>`` entries rendered as ``Model``
  objects when enabled.
* llm-d deployer values: ``sampleApplication.decode|prefill.extraArgs`` (``generic``).
* Unknown charts whose ``templates/`` write the container command from ``.Values``: the
  template itself, rendered with the merged values (``template_launches``, ``renderer``).
* Other unknown charts, by heuristics (``generic``).
"""

from __future__ import annotations

from vllm_lint.launch import Launch
from vllm_lint.sources.base import ExtractOptions, ExtractResult, SourceFile, input_diagnostic
from vllm_lint.sources.helm.generic import generic
from vllm_lint.sources.helm.kubeai_catalog import kubeai_catalog
from vllm_lint.sources.helm.production_stack import production_stack
from vllm_lint.sources.helm.values import Values, chains_for, launch_name, load_chain, mark_origins
from vllm_lint.sources.helm.vllm_chart import vllm_example_chart
from vllm_lint.sources.yaml import navigate


def extract(src: SourceFile, opts: ExtractOptions | None = None) -> ExtractResult:
    """Launches a chart would render from this values file (merged with its overlays)."""
    opts = opts or ExtractOptions()
    result = ExtractResult()
    if "templates" in src.path.parts and "{{" in src.text:
        return result  # a chart template is not YAML until rendered
    from vllm_lint.discover import is_manifest_template_name

    if is_manifest_template_name(src.path):  # values written as a template (production-stack .tpl)
        from vllm_lint.sources.k8s.manifests import blank_template_directives

        src = blank_template_directives(src)
    try:
        chains = chains_for(src, opts)
        if chains.note:
            result.notes.append(chains.note)
        for n, files in enumerate(chains.chains):
            values = load_chain(src, files, result.diagnostics if n == 0 else [])
            if values.root is None or not navigate.is_map(values.root):
                continue
            for launch in render(values):
                mark_origins(launch, values)
                result.launches.append(launch)
    except RecursionError:
        result.diagnostics.append(input_diagnostic("VL002", src.display, None, "YAML nesting too deep to read safely"))
    return result


def render(values: Values) -> list[Launch]:
    root = values.root
    launches: list[Launch] = []
    if navigate.get(root, "servingEngineSpec") is not None:
        return production_stack(values)
    if navigate.is_map(navigate.get(root, "catalog")):
        return kubeai_catalog(values)
    command = navigate.path(root, "image", "command")
    if navigate.is_seq(command) and any((navigate.text(i) or "").strip() in ("vllm", "serve") or "vllm." in (navigate.text(i) or "")
                                 for i in navigate.items(command)):
        return vllm_example_chart(values)
    sample = navigate.get(root, "sampleApplication")
    if navigate.is_map(sample):
        for role in ("decode", "prefill"):
            r = navigate.get(sample, role)
            if navigate.is_map(r) and navigate.get(r, "extraArgs") is not None:
                launch = generic(values, [sample, r], f"sampleApplication.{role}")
                if launch is not None:
                    launches.append(launch)
        return launches
    from_templates = template_launches(values)
    if from_templates:
        return from_templates  # the chart's own template wins over guessing from values keys
    launch = generic(values, [root], "values")
    return [launch] if launch is not None else []


def template_launches(values: Values) -> list[Launch]:
    """Launches rendered from the chart's own templates (``renderer``), for a chart whose
    ``templates/`` write a vLLM container command from ``.Values``.

    Used only for charts not modelled above, and only when the chart's ``values.yaml`` is among
    the merged files (an overlay alone would render the template against missing defaults).
    Literal template text keeps spans in the template; substituted values point at the values
    file that set them. When a template renders a vLLM launch it replaces the values-key
    heuristic (``generic``), which would otherwise report the same engine a second time with
    flags guessed from key names.
    """
    from vllm_lint.sources.base import ExtractOptions, SourceFile
    from vllm_lint.sources.helm import renderer
    from vllm_lint.sources.k8s import manifests
    from vllm_lint.span import LineIndex

    main = values.main
    assert main is not None
    base = next((f for f in values.files if f.path.name == "values.yaml"), None)
    if base is None or not (base.path.parent / "templates").is_dir():
        return []
    meta, chart_src = renderer.chart_meta(base)
    meta_ids = {id(n) for n in meta.values()}

    def origin_of(node):
        if chart_src is not None and id(node) in meta_ids:
            return chart_src
        return values.src_of(node)

    launches: list[Launch] = []
    for tpl in renderer.chart_templates(base):
        try:
            rendered = renderer.render(tpl, values.root, origin_of, meta)
        except renderer.Unknown:
            continue
        rsrc = SourceFile(path=tpl.path, display=tpl.display, text=rendered.text,
                          index=LineIndex(tpl.display, rendered.text), kind="kubernetes", limits=tpl.limits)
        loaded = yamlspan_load(rsrc)
        if loaded is None:
            continue
        try:
            found = manifests.documents_launches(rsrc, loaded, ExtractOptions())
        except (RecursionError, navigate.BudgetExceeded):
            continue
        for launch in found:
            if not renderer.remap_launch(launch, rendered):
                continue  # this container's command does not come from values
            rel = f"templates/{tpl.path.name}"
            launch.path = launch.span.path  # the template (the values file is ctx.src)
            launch.source = "helm"
            shown = launch.name.replace("${{", "{{")  # the `$` the renderer added for YAML's sake
            launch.name = launch_name(values, f"{rel}: {shown}")
            launch.facts.chart = "rendered-template"
            launch.facts.chart_template = tpl.display
            launch.facts.chart_values = main.display
            launch.unknowns.extend(rendered.unknowns)
            launches.append(launch)
    return launches


def yamlspan_load(src: SourceFile) -> list | None:
    """Documents of a rendered template, or None when the rendering is not valid YAML."""
    from vllm_lint.sources.yaml import loader

    loaded = loader.load_documents(src)
    return None if loaded.diagnostics else loaded.documents

