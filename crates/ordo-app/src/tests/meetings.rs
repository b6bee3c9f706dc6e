//! Meeting use cases, called directly.
