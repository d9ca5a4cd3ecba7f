"""Structured sparsity in transformer MLPs: band masks, 2:4, routed blocks and Block-ELL kernels

Modules:

- `sparse_nb.band_sweep`: The FC1 vs FC2 vs FC1+FC2 bandwidth study: its runs, a resumable runner keyed on everything that determines a result, its tables, plot and CLI.
- `sparse_nb.bands`: Band masks around the stretched diagonal of an MLP weight, their Block-ELL blocks, and `BandedLinear`, the layer that trains within one: a masked dense weight, or only the band's blocks run by the Block-ELL kernels.
- `sparse_nb.bench`: The one place that times things: a timer, a host-time probe, CUDA graphs, result rows, the FLOP model, the kernel table and the end-to-end training-step table.
- `sparse_nb.blockell`: Block-ELL sparse weights: the validated format, its constructors, `to_dense`, and the pure-torch reference matmuls.
- `sparse_nb.blockell_linear`: The Block-ELL linear layer: custom ops over the reference and the Triton kernels, one backend setting, autograd, `BlockELLLinear`.
- `sparse_nb.blockell_triton`: Triton kernels for Block-ELL: forward `y = x Wᵀ`, input gradient `dx = dy W`, weight gradient on the active blocks.
- `sparse_nb.cli`: The command-line tools `sparse_nb_train` and `sparse_nb_generate`, their flags generated from the config dataclasses.
- `sparse_nb.core`: Devices, seeding, errors, per-dtype tolerances, CLI errors, run metadata and result files shared by every module.
- `sparse_nb.data`: The GPT-2 tokenizer (offline too), token files, the batch sampler, TinyStories and the generated arithmetic task.
- `sparse_nb.forgetting`: Catastrophic forgetting, measured: train on task A, then on task B, and see how much of A is left — for dense, replay, EWC, static and dynamic Block-ELL and routed MLPs (v1: arithmetic then stories; v2: addition then subtraction).
- `sparse_nb.model`: A GPT-2-style decoder whose MLP is built through a registry, so sparse layers plug in without touching the model.
- `sparse_nb.router`: A routed block-sparse SwiGLU FFN: a light router scores blocks of the hidden layer per token, a straight-through top-k picks the active ones, a load-balancing loss keeps them all in use.
- `sparse_nb.router_study`: The routed FFN's parity study: dense vs routed (with and without load balancing) trained from one seed, with the router's statistics logged along the way.
- `sparse_nb.semi24`: 2:4 semi-structured sparsity for MLP training: the 2:4 rule, tile pruning that is 2:4 in both orientations, `SemiSparseLinear` on the CUTLASS and cuSPARSELt 2:4 kernels (compile-safe), 2:4 activations for relu², and the one-call MLP swap.
- `sparse_nb.sparsify`: One call to make any model's MLP sparse — band, 2:4, Block-ELL, dynamic Block-ELL or routed — keeping its trained weights, and one to make it dense again.
- `sparse_nb.topology`: Dynamic Block-ELL topology: prune the weakest blocks of each block-row and regrow promising absent ones during training, K fixed, identically on every rank.
- `sparse_nb.train`: One readable training loop: AdamW, warmup + cosine, clipping, eval, checkpoints you can trust, hooks and DDP."""

__version__ = "0.1.0"
