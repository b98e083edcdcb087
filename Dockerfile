# One image for the producer, the worker, the Meta sandbox and the migrate job (commands differ).
FROM node:24-slim
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm i -g pnpm@12.21.0
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile --prod=false
USER node
