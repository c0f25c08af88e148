// The Python files of the PyTorch export as text, for the app and the Vite-run tests (the CLI reads the same
// files with fs: cli/export-torch.ts).
import data from './torch/data.py?raw';
import genShop from './torch/gen_shop.py?raw';
import model from './torch/model.py?raw';
import train from './torch/train.py?raw';
import type { TorchTemplates } from './torchExport';

export const TORCH_TEMPLATES: TorchTemplates = { model, data, train, genShop };
