// Strata: Keras-style deep learning for Swift. One import brings the tensor engine too.
@_exported import StrataCore
