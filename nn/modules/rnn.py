"""torch's ``torch.nn.modules.rnn`` path: the recurrent layers, the classes ``nn`` has (code that checks
``isinstance(m, nn.modules.rnn.RNNBase)`` finds them)."""

from __future__ import annotations

from ..recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
